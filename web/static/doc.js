// The document page's script: the reader (paging by keys and buttons,
// zoom, full screen, thumbnails and outline, the text layer over the page
// images, the reflowed text mode), in-document search, the download
// dialog, and a converting document's progress. Reading works without it:
// the toolbars, panels and texts are in the HTML from the server, which
// this only brings to life. Its words come from the page, in the page's
// language: data- attributes (a sentence with {n} where the number goes),
// the pager line under each page, the labels of the buttons.
(function () {
  'use strict';
  var me = document.querySelector('script[data-zoom-in]');
  function word(name, fallback) { return (me && me.getAttribute(name)) || fallback; }
  var reader = document.getElementById('reader');
  var pages = Array.prototype.slice.call(document.querySelectorAll('.rpages .page'));
  if (!reader || !pages.length) return;
  reader.classList.add('js-on');
  var docId = reader.getAttribute('data-doc');
  var total = Number(reader.getAttribute('data-pages')) || pages.length;
  var bar = reader.querySelector('.rbar');
  var where = bar.querySelector('.where');
  var mwhere = document.querySelector('.mbar .mwhere');
  var reflow = reader.querySelector('.reflow');
  var textBtn = bar.querySelector('[data-act="text"]');
  var thumbs = Array.prototype.slice.call(reader.querySelectorAll('.thumbs a'));
  var side = reader.querySelector('details.rside');
  var shownNow = 0;
  var form = bar.querySelector('form.jump');

  function textMode() { return reader.classList.contains('textmode'); }
  // the page the reader is on: the last one whose top passed a third of
  // the window (in text mode, the last page heading that did)
  function current() {
    var y = window.innerHeight / 3, n = 1;
    var marks = textMode() ? reflow.querySelectorAll('h2') : pages;
    for (var i = 0; i < marks.length; i++) {
      if (marks[i].getBoundingClientRect().top < y) n = i + 1;
      else break;
    }
    return n;
  }
  function show(n) {
    if (n === shownNow) return;
    shownNow = n;
    var pager = pages[n - 1] && pages[n - 1].querySelector('.pager');
    var text = pager ? pager.textContent : String(n);
    where.textContent = text;
    if (mwhere) mwhere.textContent = text;
    if (document.activeElement !== form.elements.p) form.elements.p.value = n;
    thumbs.forEach(function (a) { a.classList.toggle('on', Number(a.getAttribute('data-page')) === n); });
  }
  var ticking = false;
  function onScroll() {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(function () { ticking = false; show(current()); });
  }
  window.addEventListener('scroll', onScroll, {passive: true});
  reader.addEventListener('scroll', onScroll, {passive: true}); // full screen scrolls the reader

  // A page past the preview: say so where the reader looks, with the download.
  var note = reader.querySelector('.pastnote');
  function showPast(n) {
    var a = document.querySelector('#more .dl-open, .mbar .dl-open');
    note.textContent = (reader.getAttribute('data-past') || '{n}').replace('{n}', n) + ' ';
    if (a) note.appendChild(a.cloneNode(true));
    note.hidden = false;
    note.scrollIntoView({block: 'center'});
  }
  function goTo(n) {
    if (!(n >= 1)) return;
    if (n > pages.length) {
      if (n <= total) showPast(n);
      return;
    }
    note.hidden = true;
    if (textMode()) {
      var h = reflow.querySelectorAll('h2')[n - 1];
      if (h) h.scrollIntoView();
    } else {
      pages[n - 1].scrollIntoView();
    }
    history.replaceState(null, '', location.pathname + location.search + '#p' + n);
    show(n);
  }
  function step(d) {
    var n = current();
    // at the end of the preview, the next page is the download's
    if (d > 0 && n >= pages.length && pages.length < total) return showPast(pages.length + 1);
    goTo(Math.max(1, Math.min(pages.length, n + d)));
  }

  form.addEventListener('submit', function (e) {
    var n = Number(form.elements.p.value);
    if (n >= 1 && n <= total) {
      e.preventDefault();
      goTo(n);
    }
  });

  // keys: ←/→ and PageUp/PageDown page, except while typing
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (document.querySelector('dialog[open]')) return;
    var d = {ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1}[e.key];
    if (!d) return;
    e.preventDefault();
    step(d);
  });

  // zoom: in percent of the column's width, 100 = fit width; wider pages
  // scroll sideways inside the reader
  var zoom = 100, label = bar.querySelector('.zoom');
  function setZoom(z) {
    var n = current();
    zoom = Math.max(50, Math.min(300, z));
    pages.forEach(function (p) { p.style.width = zoom + '%'; });
    label.textContent = zoom + '%';
    reader.classList.toggle('zoomed', zoom > 100);
    if (!textMode()) pages[n - 1].scrollIntoView();
  }
  // wider than the column: drag the pages to pan (from anywhere but a
  // line of text, which the mouse selects)
  var rpages = reader.querySelector('.rpages'), drag = null;
  rpages.addEventListener('pointerdown', function (e) {
    if (zoom <= 100 || e.button !== 0 || e.pointerType !== 'mouse' || e.target.closest('.textLayer span')) return;
    drag = {x: e.clientX, y: e.clientY, left: rpages.scrollLeft, top: window.scrollY};
    rpages.setPointerCapture(e.pointerId);
    rpages.classList.add('dragging');
    e.preventDefault();
  });
  rpages.addEventListener('pointermove', function (e) {
    if (!drag) return;
    rpages.scrollLeft = drag.left - (e.clientX - drag.x);
    window.scrollTo(window.scrollX, drag.top - (e.clientY - drag.y));
  });
  function endDrag() { drag = null; rpages.classList.remove('dragging'); }
  rpages.addEventListener('pointerup', endDrag);
  rpages.addEventListener('pointercancel', endDrag);
  bar.addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) return;
    var z = b.getAttribute('data-zoom'), act = b.getAttribute('data-act');
    if (z) setZoom(zoom + 25 * Number(z));
    else if (act === 'fit') setZoom(100);
    else if (act === 'prev') step(-1);
    else if (act === 'next') step(1);
    else if (act === 'full') fullScreen();
    else if (act === 'text') setText(!textMode());
  });

  // full screen: the reader element alone
  var fullBtn = bar.querySelector('[data-act="full"]');
  if (!reader.requestFullscreen) fullBtn.disabled = true;
  function fullScreen() {
    var n = current();
    var done = function () { if (!textMode()) pages[n - 1].scrollIntoView(); };
    if (document.fullscreenElement) document.exitFullscreen().then(done, function () {});
    else reader.requestFullscreen().then(done, function () {});
  }
  document.addEventListener('fullscreenchange', function () {
    fullBtn.setAttribute('aria-pressed', document.fullscreenElement === reader ? 'true' : 'false');
  });

  // thumbnails and outline: jump to the page (past the preview: say so)
  reader.querySelectorAll('.thumbs a, .outline a').forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      goTo(Number(a.getAttribute('data-page')));
      if (window.innerWidth < 900 && side) side.open = false;
    });
  });
  var tabs = reader.querySelectorAll('.rside [role="tab"]');
  function tab(name) {
    tabs.forEach(function (t) {
      var on = t.getAttribute('data-tab') === name;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      var panel = reader.querySelector('.rside .' + t.getAttribute('data-tab'));
      if (panel) panel.hidden = !on;
    });
  }
  tabs.forEach(function (t) { t.addEventListener('click', function () { tab(t.getAttribute('data-tab')); }); });
  if (tabs.length) tab('outline');

  // the reflowed text: each page's text (the page carries it under
  // 资源描述) as paragraphs, under the page's pager line
  var texts = document.querySelectorAll('.desc .text');
  if (!texts.length) textBtn.disabled = true;
  function buildReflow() {
    if (reflow.childNodes.length) return;
    texts.forEach(function (t) {
      var n = Number(t.getAttribute('data-page'));
      var h = document.createElement('h2');
      var pager = pages[n - 1] && pages[n - 1].querySelector('.pager');
      h.textContent = pager ? pager.textContent : String(n);
      reflow.appendChild(h);
      // the text begins with its number ("1、"): not part of the page
      var s = t.textContent.replace(/^\s*\d+\S?\s*/, '');
      s.split(/\n+/).forEach(function (para) {
        if (!para.trim()) return;
        var p = document.createElement('p');
        p.textContent = para.trim();
        reflow.appendChild(p);
      });
    });
  }
  function setText(on) {
    var n = current();
    if (on) buildReflow();
    reader.classList.toggle('textmode', on);
    reflow.hidden = !on;
    textBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    shownNow = 0;
    goTo(n);
  }

  // The text layer: each printed line of a page as transparent text over
  // the image, sized to the line's box, so it can be selected, copied and
  // found. Loaded for the pages near the window. Sizes are in cqw (of the
  // page's width), so zoom needs no new measure.
  var measure = document.createElement('canvas').getContext('2d');
  var wanted = {};
  function layer(page, lines) {
    var sheet = page.querySelector('.sheet'), box = sheet.querySelector('.textLayer');
    if (!box || box.childNodes.length) return;
    var ratio = Number(sheet.getAttribute('data-h')) / Number(sheet.getAttribute('data-w')) || 1.414;
    var frag = document.createDocumentFragment();
    // measured in the page's own font: a font of its own (sans-serif) made
    // the browser load a second CJK font, 0.6 s of a phone's main thread
    measure.font = '100px ' + getComputedStyle(box).fontFamily;
    lines.forEach(function (l) {
      var x0 = l.box[0] / 65535, y0 = l.box[1] / 65535, x1 = l.box[2] / 65535, y1 = l.box[3] / 65535;
      var fs = (y1 - y0) * ratio * 100; // font size, in cqw
      if (!(fs > 0) || !l.text) return;
      var span = document.createElement('span');
      span.textContent = l.text;
      span.style.left = (x0 * 100) + '%';
      span.style.top = (y0 * 100) + '%';
      span.style.fontSize = fs + 'cqw';
      var natural = measure.measureText(l.text).width / 100 * fs;
      if (natural > 0) span.style.transform = 'scaleX(' + ((x1 - x0) * 100 / natural) + ')';
      frag.appendChild(span);
      frag.appendChild(document.createElement('br')); // a copied line ends with a line break
    });
    box.appendChild(frag);
  }
  function loadLayout(n) {
    if (wanted[n]) return;
    var from = n, count = 0;
    while (count < 4 && from + count <= pages.length && !wanted[from + count]) wanted[from + count++] = true;
    fetch('/api/v1/doc/' + docId + '/layout?from=' + from + '&count=' + count)
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (res) {
        (res.items || []).forEach(function (it) { if (pages[it.page - 1]) layer(pages[it.page - 1], it.lines || []); });
      }, function () { for (var i = 0; i < count; i++) wanted[from + i] = false; });
  }
  var io = null;
  if ('IntersectionObserver' in window) {
    io = new IntersectionObserver(function (entries) {
      entries.forEach(function (en) {
        if (en.isIntersecting) loadLayout(Number(en.target.getAttribute('data-page')));
      });
    }, {rootMargin: '1200px 0px'});
    pages.forEach(function (p) { io.observe(p); });
  } else {
    pages.forEach(function (p) { loadLayout(Number(p.getAttribute('data-page'))); });
  }

  // A readable document's pages as they come (the poller below adds them
  // to .rpages and the thumbnails, then says so): the reader takes them in.
  reader.addEventListener('wy-pages', function (e) {
    var fresh = Array.prototype.slice.call(reader.querySelectorAll('.rpages .page')).slice(pages.length);
    pages = pages.concat(fresh);
    total = Math.max(total, e.detail && e.detail.pages || 0, pages.length);
    form.elements.p.max = total;
    var news = Array.prototype.slice.call(reader.querySelectorAll('.thumbs a')).slice(thumbs.length);
    thumbs = thumbs.concat(news);
    news.forEach(function (a) {
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        goTo(Number(a.getAttribute('data-page')));
        if (window.innerWidth < 900 && side) side.open = false;
      });
    });
    fresh.forEach(function (p) {
      if (zoom !== 100) p.style.width = zoom + '%';
      if (io) io.observe(p);
      else loadLayout(Number(p.getAttribute('data-page')));
    });
  });

  // a link to a page (#p3): where the reader starts
  var m = /^#p(\d+)$/.exec(location.hash);
  show(m ? Number(m[1]) : current());
})();

// In-document search: the hits of the query (from the search box, or the
// ?q= a search result linked with) marked on the page images, and a way to
// step through them. Without script the box reloads the page with ?q=.
(function () {
  'use strict';
  var me = document.querySelector('script[data-zoom-in]');
  function word(name, fallback) { return (me && me.getAttribute(name)) || fallback; }
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

// The download block opens as a dialog (its panel moved into it while
// open, and back); the page's other download links open it too. Share:
// the link made absolute, and copied.
(function () {
  'use strict';
  var me = document.querySelector('script[data-zoom-in]');
  var dl = document.getElementById('download');
  var panel = dl && dl.querySelector('.panel');
  if (panel && window.HTMLDialogElement) {
    var dlg = document.createElement('dialog');
    dlg.className = 'dl-dialog';
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'dl-close';
    close.textContent = '×';
    close.setAttribute('aria-label', (me && me.getAttribute('data-close')) || '关闭');
    close.addEventListener('click', function () { dlg.close(); });
    dlg.appendChild(close);
    var h = panel.querySelector('h2');
    if (h) {
      h.id = 'download-title';
      dlg.setAttribute('aria-labelledby', h.id);
    }
    document.body.appendChild(dlg);
    var open = function (e) {
      e.preventDefault();
      dl.open = false;
      dlg.appendChild(panel);
      dlg.showModal();
    };
    dlg.addEventListener('close', function () { dl.appendChild(panel); });
    dl.querySelector('summary').addEventListener('click', open);
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a.dl-open');
      if (a) open(e);
    });
    // sent here to pay (GET /download/N of a priced document): open it
    if (location.hash === '#download') {
      dlg.appendChild(panel);
      dlg.showModal();
    }
  }
  // one panel of the action row open at a time
  var pops = document.querySelectorAll('.actions details.pop');
  pops.forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open) pops.forEach(function (o) { if (o !== d) o.open = false; });
    });
  });
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

// A document being converted: its progress, asked again and again (less
// often as time goes on). Readable (its first pages stored, the rest
// converting), the pages that came since are added to the reader without
// a reload; the page is reloaded when it turns readable (the reader is
// not there yet), failed, or ready before any page was shown.
(function () {
  'use strict';
  var box = document.getElementById('convstatus');
  if (!box || !window.fetch) return;
  var id = box.getAttribute('data-doc'), fmt = box.getAttribute('data-progress') || '';
  var text = box.querySelector('.progress-text'), bar = box.querySelector('progress');
  var reader = document.getElementById('reader');
  var delay = 1000;
  function el(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  // one page as the server writes it (doc.html's page_items)
  function addPage(it, total) {
    var pager = (reader.getAttribute('data-pager') || '{n} / {total}')
      .replace('{n}', it.page).replace('{total}', total);
    var page = el('div', {'class': 'page', id: 'p' + it.page, 'data-page': it.page});
    var sheet = el('div', {'class': 'sheet', 'data-w': it.width, 'data-h': it.height});
    sheet.appendChild(el('img', {loading: 'lazy', width: it.width, height: it.height, src: it.image,
                                 alt: (it.text || '').slice(0, 120)}));
    sheet.appendChild(el('div', {'class': 'textLayer'}));
    page.appendChild(sheet);
    var p = el('div', {'class': 'pager'});
    p.textContent = pager;
    page.appendChild(p);
    reader.querySelector('.rpages').appendChild(page);
    var thumbs = reader.querySelector('.thumbs');
    if (thumbs) {
      var a = el('a', {href: '#p' + it.page, 'data-page': it.page});
      a.appendChild(el('img', {loading: 'lazy', src: it.image, width: it.width, height: it.height, alt: ''}));
      var n = el('span', {});
      n.textContent = it.page;
      a.appendChild(n);
      thumbs.appendChild(a);
    }
  }
  // the pages stored past those on the page (the API gives what this
  // reader may read: the preview's pages for a visitor)
  function fill(d) {
    var have = reader.querySelectorAll('.rpages .page').length;
    if (d.pages <= have) return Promise.resolve();
    var m = /^(\d+)\/(\d+)$/.exec(d.progress || '');
    var total = m ? Number(m[2]) : d.pages;
    return fetch('/api/v1/doc/' + id + '/pages?from=' + (have + 1) + '&count=20', {cache: 'no-store'})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (res) {
        var items = (res.items || []).filter(function (it) { return it.page > have; });
        items.forEach(function (it) { addPage(it, total); });
        if (items.length) reader.dispatchEvent(new CustomEvent('wy-pages', {detail: {pages: d.pages}}));
        if (items.length === 20) return fill(d);
      });
  }
  function poll() {
    fetch('/api/v1/doc/' + id, {cache: 'no-store'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        var readable = d.status === 'readable' || d.status === 'ready';
        if (d.status === 'failed' || (readable && !reader)) { location.reload(); return; }
        var m = /^(\d+)\/(\d+)$/.exec(d.progress || '');
        if (m && fmt) {
          text.textContent = fmt.replace('{done}', m[1]).replace('{total}', m[2]);
          bar.max = Number(m[2]);
          bar.value = Number(m[1]);
        }
        var next = readable ? fill(d) : Promise.resolve();
        return next.then(function () {
          if (d.status === 'ready') { box.hidden = true; return; }
          // readable: pages come every half second; else less often
          delay = readable ? 1000 : Math.min(15000, delay * 1.5);
          setTimeout(poll, delay);
        });
      })
      .catch(function () {
        delay = Math.min(15000, delay * 2);
        setTimeout(poll, delay);
      });
  }
  setTimeout(poll, delay);
})();
