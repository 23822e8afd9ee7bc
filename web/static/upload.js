// The upload page: many files at once, dropped or chosen; each goes in a
// request of its own so each has its own progress bar, first for the
// transfer (XMLHttpRequest upload progress), then for the conversion
// (the document's status, asked for every second until it is ready or
// failed). Without script the form posts all files at once.
(function () {
  'use strict';
  var form = document.getElementById('upload');
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector('input[type=file]');
  var drop = document.getElementById('drop');
  var queue = document.getElementById('queue');
  function word(name) { return form.getAttribute('data-' + name) || name; }

  function row(file) {
    var li = document.createElement('li');
    li.className = 'upfile';
    var name = document.createElement('span');
    name.className = 'name';
    name.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    var state = document.createElement('span');
    state.className = 'state';
    state.textContent = word('transfer');
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(state);
    queue.appendChild(li);
    return {li: li, bar: bar, state: state};
  }

  function watch(id, ui) {
    var link = document.createElement('a');
    link.href = '/doc/' + id;
    link.textContent = ' #' + id;
    ui.li.appendChild(link);
    function poll() {
      var x = new XMLHttpRequest();
      x.open('GET', '/api/v1/doc/' + id);
      x.onload = function () {
        var d;
        try { d = JSON.parse(x.responseText); } catch (e) { d = null; }
        if (!d || x.status !== 200) { setTimeout(poll, 2000); return; }
        ui.li.setAttribute('data-status', d.status);
        if (d.status === 'ready') {
          ui.bar.value = 100;
          ui.state.textContent = word('ready');
          return;
        }
        if (d.status === 'failed') {
          ui.state.textContent = word('failed') + (d.reason ? ': ' + d.reason : '');
          return;
        }
        if (d.status === 'converting' && d.progress_total) {
          ui.bar.value = Math.round(100 * d.progress_done / d.progress_total);
          ui.state.textContent = word('converting') + ' ' + d.progress_done + '/' + d.progress_total;
        } else {
          ui.bar.removeAttribute('value'); // indeterminate while queued
          ui.state.textContent = word(d.status === 'converting' ? 'converting' : 'queued');
        }
        setTimeout(poll, 1000);
      };
      x.onerror = function () { setTimeout(poll, 2000); };
      x.send();
    }
    poll();
  }

  function send(file, fields) {
    var ui = row(file);
    var fd = new FormData();
    fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });
    fd.append('file', file, file.name);
    var x = new XMLHttpRequest();
    x.open('POST', '/api/v1/upload');
    x.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf'));
    x.upload.onprogress = function (e) {
      if (e.lengthComputable) ui.bar.value = Math.round(100 * e.loaded / e.total);
    };
    x.onload = function () {
      var res;
      try { res = JSON.parse(x.responseText); } catch (e) { res = null; }
      var d = res && res.documents && res.documents[0];
      if (x.status >= 400 || !d) {
        ui.li.setAttribute('data-status', 'error');
        ui.state.textContent = word('error') + ((res && res.error) ? ': ' + res.error : '');
        return;
      }
      if (d.existed) {
        ui.state.textContent = word('existed');
        if (d.id) watch(d.id, ui);
        return;
      }
      if (d.error) {
        ui.li.setAttribute('data-status', 'error');
        ui.state.textContent = word('error') + ': ' + d.error;
        return;
      }
      ui.bar.value = 0;
      ui.state.textContent = word('queued');
      watch(d.id, ui);
    };
    x.onerror = function () {
      ui.li.setAttribute('data-status', 'error');
      ui.state.textContent = word('error');
    };
    x.send(fd);
  }

  function start(files) {
    var fields = [];
    ['title', 'category', 'description', 'tags', 'price'].forEach(function (k) {
      var el = form.elements[k];
      if (el && el.value) fields.push([k, el.value]);
    });
    if (form.elements['private'] && form.elements['private'].checked) fields.push(['private', '1']);
    // a title names one file; with several, each keeps its own
    if (files.length > 1) fields = fields.filter(function (kv) { return kv[0] !== 'title'; });
    for (var i = 0; i < files.length; i++) send(files[i], fields);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (input.files.length) start(input.files);
    input.value = '';
  });
  ['dragenter', 'dragover'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) start(e.dataTransfer.files);
  });
  input.required = false;
})();
