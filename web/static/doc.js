// The document page's script: zoom, a pager that follows the reading
// position, and jumping without a reload. Reading works without it.
// Its words come from the page, in the page's language: the zoom labels
// from data- attributes of its <script> tag, the position from the pager
// line under each page image.
(function () {
  'use strict';
  var pages = Array.prototype.slice.call(document.querySelectorAll('.page'));
  if (!pages.length) return;
  var me = document.querySelector('script[data-zoom-in]');
  function word(name, fallback) { return (me && me.getAttribute(name)) || fallback; }
  var bar = document.createElement('div');
  bar.className = 'viewer-bar';
  bar.innerHTML = '<button type="button" data-zoom="-1">－</button>' +
    '<span class="zoom">100%</span>' +
    '<button type="button" data-zoom="1">＋</button>' +
    '<span class="where"></span>';
  // set as attributes, not spliced into the HTML above
  bar.querySelector('[data-zoom="-1"]').setAttribute('aria-label', word('data-zoom-out', '缩小'));
  bar.querySelector('[data-zoom="1"]').setAttribute('aria-label', word('data-zoom-in', '放大'));
  var first = pages[0];
  first.parentNode.insertBefore(bar, first);
  var zoom = 100, where = bar.querySelector('.where'), label = bar.querySelector('.zoom');

  function show(n) {
    var pager = pages[n - 1].querySelector('.pager');
    where.textContent = pager ? pager.textContent : String(n);
  }
  function current() {
    var y = window.innerHeight / 3, n = 1;
    pages.forEach(function (p, i) { if (p.getBoundingClientRect().top < y) n = i + 1; });
    return n;
  }
  bar.addEventListener('click', function (e) {
    var d = e.target.getAttribute('data-zoom');
    if (!d) return;
    var n = current();
    zoom = Math.max(50, Math.min(200, zoom + 25 * Number(d)));
    pages.forEach(function (p) { p.style.width = zoom + '%'; });
    label.textContent = zoom + '%';
    pages[n - 1].scrollIntoView();
  });
  var form = document.querySelector('form.jump');
  if (form) form.addEventListener('submit', function (e) {
    var n = Number(form.elements.p.value);
    if (n >= 1 && n <= pages.length) {
      e.preventDefault();
      pages[n - 1].scrollIntoView();
      history.replaceState(null, '', '#p' + n);
      show(n);
    }
  });
  window.addEventListener('scroll', function () { show(current()); }, {passive: true});
  show(current());

  // In-document search: the hits of the query (from the search box, or the
  // ?q= a search result linked with) marked on the page images, and a way
  // to step through them. Without script the box reloads the page with ?q=.
  var sform = document.querySelector('form.docsearch');
  var docId = me && me.getAttribute('data-doc');
  if (!sform || !docId) return;
  var nav = sform.querySelector('.hitnav'), pos = sform.querySelector('.hitpos');
  var marks = [], at = -1, partly = false;
  function clear() {
    marks.forEach(function (m) { m.parentNode.removeChild(m); });
    marks = [];
    at = -1;
  }
  function go(i) {
    if (!marks.length) return;
    if (marks[at]) marks[at].classList.remove('current');
    at = (i + marks.length) % marks.length;
    marks[at].classList.add('current');
    marks[at].scrollIntoView({block: 'center'});
    pos.textContent = word('data-hits', '命中') + ' ' + (at + 1) + ' / ' + marks.length +
      (partly ? ' ' + word('data-partly', '（部分搜索词）') : '');
  }
  function search(q) {
    clear();
    if (!q) { nav.hidden = true; return; }
    fetch('/api/v1/doc/' + docId + '/search?q=' + encodeURIComponent(q))
      .then(function (r) { return r.json(); })
      .then(function (res) {
        partly = res.match === 'relaxed'; // the words as typed are not here: their parts are
        (res.pages || []).forEach(function (pg) {
          var page = document.getElementById('p' + pg.page);
          var box = page && page.querySelector('.sheet');
          if (!box) return; // past the preview
          pg.hits.forEach(function (h) {
            h.rects.forEach(function (r, k) {
              var m = document.createElement('span');
              m.className = 'hit';
              m.style.left = (r[0] * 100) + '%';
              m.style.top = (r[1] * 100) + '%';
              m.style.width = ((r[2] - r[0]) * 100) + '%';
              m.style.height = ((r[3] - r[1]) * 100) + '%';
              m.setAttribute('data-page', pg.page);
              box.appendChild(m);
              if (k === 0) marks.push(m);
            });
          });
        });
        nav.hidden = false;
        if (marks.length) go(0);
        else pos.textContent = word('data-nohits', '本文档中没有找到');
      });
  }
  sform.addEventListener('submit', function (e) {
    e.preventDefault();
    var q = sform.elements.q.value.trim();
    history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
    search(q);
  });
  nav.addEventListener('click', function (e) {
    var d = e.target.getAttribute('data-hit');
    if (d) go(at + Number(d));
  });
  if (sform.elements.q.value) search(sform.elements.q.value);
})();

// Share and report: the action links open their panels; copy the link.
(function () {
  'use strict';
  function opener(sel, id) {
    var a = document.querySelector(sel), d = document.getElementById(id);
    if (!a || !d) return;
    a.addEventListener('click', function () { d.open = true; });
  }
  opener('.share-open', 'share');
  opener('.report-open', 'report');
  var link = document.querySelector('#share input');
  if (link && link.value.charAt(0) === '/') link.value = location.origin + link.value;
  var copy = document.querySelector('#share .copy');
  if (copy) {
    copy.addEventListener('click', function () {
      var input = document.querySelector('#share input');
      input.select();
      var done = function () { copy.textContent = copy.getAttribute('data-copied'); };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () {
        document.execCommand('copy'); done();
      });
      else { document.execCommand('copy'); done(); }
    });
  }
})();
