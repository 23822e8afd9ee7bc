// 换一张 without a reload: a new captcha of the same form from
// /api/v1/captcha, its image and id swapped into the form. Without this
// script the link draws the whole form again (src/web/captcha.c).
(function () {
  'use strict';
  document.addEventListener('click', function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest('a.captcha-again') : null;
    if (!a || !window.fetch) return;
    var box = a.closest('.captcha');
    if (!box) return;
    ev.preventDefault();
    fetch('/api/v1/captcha?form=' + encodeURIComponent(box.getAttribute('data-form')),
          {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (j) {
        box.querySelector('img.captcha-img').src = j.image;
        box.querySelector('input[name=captcha_id]').value = j.id;
        var input = box.querySelector('input[name=captcha]');
        input.value = '';
        input.focus();
      })
      .catch(function () { window.location.href = a.href; });
  });
})();
