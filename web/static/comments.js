// The ratings and comments section of the document page (comments.c):
// a star clicked rates at once, without leaving the page. Everything here
// also works without this script: each star is a submit button of a plain
// form. Its words come from the page (data- attributes of its <script>
// tag, with {n} where the number goes).
(function () {
  'use strict';
  var me = document.querySelector('script[data-rated]');
  function word(name, n) { return ((me && me.getAttribute(name)) || '{n}').replace('{n}', String(n)); }
  var box = document.getElementById('comments');
  var form = box && box.querySelector('form.rate');
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var sum = box.querySelector('.rating-sum');
  function stars(avg) {
    var full = Math.round(avg), s = '';
    for (var i = 1; i <= 5; i++) s += i <= full ? '\u2605' : '\u2606';
    return s;
  }
  function show(res) {
    // the summary: stars, average, count (the page's markup, rebuilt)
    sum.textContent = '';
    var st = document.createElement('span');
    st.className = 'stars';
    st.setAttribute('aria-hidden', 'true');
    st.textContent = stars(res.rating);
    var avg = document.createElement('strong');
    avg.className = 'avg';
    avg.textContent = res.rating.toFixed(1);
    sum.appendChild(st);
    sum.appendChild(document.createTextNode(' '));
    sum.appendChild(avg);
    sum.appendChild(document.createTextNode(' ' + word('data-people', res.ratings)));
    var buttons = form.querySelectorAll('button.star');
    for (var i = 0; i < buttons.length; i++) {
      var on = Number(buttons[i].value) <= res.mine;
      buttons[i].classList.toggle('on', on);
      buttons[i].setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    var mine = form.querySelector('.mine');
    if (!mine) {
      mine = document.createElement('span');
      mine.className = 'mine';
      form.appendChild(document.createTextNode(' '));
      form.appendChild(mine);
    }
    mine.textContent = word('data-rated', res.mine);
  }
  form.addEventListener('submit', function (ev) {
    var b = ev.submitter;
    if (!b || !b.value) return; // an old browser: the form goes as it is
    ev.preventDefault();
    var body = new URLSearchParams();
    body.set('csrf', form.querySelector('input[name="csrf"]').value);
    body.set('stars', b.value);
    fetch('/api/v1' + form.getAttribute('action'), {method: 'POST', body: body, credentials: 'same-origin'})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(show)
      .catch(function () { // the page's way, with its message
        var h = document.createElement('input');
        h.type = 'hidden';
        h.name = 'stars';
        h.value = b.value;
        form.appendChild(h);
        form.submit();
      });
  });
})();
