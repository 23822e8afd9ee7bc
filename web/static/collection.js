// A collection's page, for its owner: the up, down and remove buttons
// (forms that work without script) act without reloading the page, and
// the cards can be dragged to a new place. Each change is one request to
// the JSON twin (POST /api/v1/collection/N/move or /remove, with the
// form's CSRF token); then the order is read back from GET
// /api/v1/collection/N and the cards follow it, so the page always shows
// what the store holds. A request that fails falls back to the form's own
// submission (a page load), which says why.
(function () {
  'use strict';
  var list = document.querySelector('ol.colldocs[data-coll]');
  if (!list || !window.fetch || !window.URLSearchParams) return;
  var id = list.getAttribute('data-coll');
  var status = document.querySelector('.collstatus');
  var busy = false;
  function word(name) { return list.getAttribute('data-' + name) || ''; }
  function say(text) { if (status) status.textContent = text; }
  function cards() { return Array.prototype.slice.call(list.querySelectorAll('li.card[data-doc]')); }
  function csrf() {
    var t = list.querySelector('input[name=csrf]');
    return t ? t.value : '';
  }

  function post(action, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    body.append('csrf', csrf());
    return fetch('/api/v1/collection/' + id + '/' + action, {
      method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf() }
    }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }

  // the order the store holds: cards sorted by it, gone ones removed,
  // each card's up and down forms pointing at its neighbours' places
  function refresh() {
    return fetch('/api/v1/collection/' + id, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (c) {
        var byDoc = {};
        cards().forEach(function (li) { byDoc[li.getAttribute('data-doc')] = li; });
        var docs = c.documents || [];
        var kept = [];
        docs.forEach(function (d) {
          var li = byDoc[String(d.id)];
          if (!li) return;
          delete byDoc[String(d.id)];
          li.setAttribute('data-pos', d.position);
          kept.push(li);
        });
        Object.keys(byDoc).forEach(function (k) { byDoc[k].remove(); });
        kept.forEach(function (li, i) {
          list.appendChild(li);
          var up = li.querySelector('form.up'), down = li.querySelector('form.down');
          if (up) {
            up.hidden = i === 0;
            if (i > 0) up.querySelector('input[name=to]').value = kept[i - 1].getAttribute('data-pos');
          }
          if (down) {
            down.hidden = i === kept.length - 1;
            if (i < kept.length - 1) down.querySelector('input[name=to]').value = kept[i + 1].getAttribute('data-pos');
          }
        });
      });
  }

  // one change, then the order read back; a promise of whether it went
  function act(form, action, fields, done) {
    if (busy) return Promise.resolve(false);
    busy = true;
    return post(action, fields).then(refresh).then(function () {
      busy = false;
      say(done);
      return true;
    }).catch(function () {
      busy = false;
      say(word('failed'));
      form.submit();
      return false;
    });
  }

  list.addEventListener('submit', function (e) {
    var form = e.target;
    var doc = form.querySelector('input[name=doc]');
    if (!doc) return;
    e.preventDefault();
    var li = form.closest('li.card');
    if (form.classList.contains('rm')) {
      // focus goes to the next card's link (or the previous one's)
      var next = li.nextElementSibling || li.previousElementSibling;
      act(form, 'remove', { doc: doc.value }, word('removed'));
      if (next) next.querySelector('a').focus();
      return;
    }
    var up = form.classList.contains('up');
    // keep the focus on the moved card's button that still applies
    act(form, 'move', { doc: doc.value, to: form.querySelector('input[name=to]').value }, word('moved'))
      .then(function (went) {
        if (!went) return;
        var again = li.querySelector(up ? 'form.up' : 'form.down');
        var other = li.querySelector(up ? 'form.down' : 'form.up');
        var target = again && !again.hidden ? again : other && !other.hidden ? other : null;
        if (target) target.querySelector('button').focus();
      });
  });

  // drag a card onto another: it takes that card's place
  var dragged = null;
  cards().forEach(function (li) { li.setAttribute('draggable', 'true'); });
  list.addEventListener('dragstart', function (e) {
    dragged = e.target.closest ? e.target.closest('li.card') : null;
    if (!dragged) return;
    dragged.classList.add('dragging');
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', dragged.getAttribute('data-doc'));
    }
  });
  list.addEventListener('dragend', function () {
    if (dragged) dragged.classList.remove('dragging');
    cards().forEach(function (li) { li.classList.remove('over'); });
    dragged = null;
  });
  list.addEventListener('dragover', function (e) {
    var li = e.target.closest ? e.target.closest('li.card') : null;
    if (!dragged || !li) return;
    e.preventDefault();
    cards().forEach(function (c) { c.classList.toggle('over', c === li && c !== dragged); });
  });
  list.addEventListener('drop', function (e) {
    var li = e.target.closest ? e.target.closest('li.card') : null;
    if (!dragged || !li) return;
    e.preventDefault();
    var from = dragged;
    li.classList.remove('over');
    if (li === from) return;
    var form = from.querySelector('form.mv');
    act(form, 'move', { doc: from.getAttribute('data-doc'), to: li.getAttribute('data-pos') }, word('moved'));
  });
})();
