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
})();
