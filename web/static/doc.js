// The document page's script: zoom, a pager that follows the reading
// position, and jumping without a reload. Reading works without it.
(function () {
  'use strict';
  var pages = Array.prototype.slice.call(document.querySelectorAll('.page'));
  if (!pages.length) return;
  var bar = document.createElement('div');
  bar.className = 'viewer-bar';
  bar.innerHTML = '<button type="button" data-zoom="-1" aria-label="缩小">－</button>' +
    '<span class="zoom">100%</span>' +
    '<button type="button" data-zoom="1" aria-label="放大">＋</button>' +
    '<span class="where"></span>';
  var first = pages[0];
  first.parentNode.insertBefore(bar, first);
  var zoom = 100, where = bar.querySelector('.where'), label = bar.querySelector('.zoom');
  var total = pages.length ? pages[0].getAttribute('data-total') : '';

  function show(n) { where.textContent = '第' + n + '页 / 共' + total + '页'; }
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
