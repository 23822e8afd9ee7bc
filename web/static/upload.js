// The upload page: files chosen or dropped join a queue where each is
// checked before anything is sent (its name's extension among those the
// site converts, its size within the site's limit, not empty: a file that
// fails is marked with why, and no request is made for it) and gets its
// own title (from its name), category and price. 上传 sends each in a
// request of its own, so each has its own status: the transfer's
// progress, then the conversion's (the document's status, asked for every
// second), then 已完成 with a link, or why it failed in plain words (the
// page lists the reasons' codes in the reader's language: #reasons).
// Without script the form posts all its files at once.
(function () {
  'use strict';
  var form = document.getElementById('upload');
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = form.querySelector('input[type=file]');
  var drop = document.getElementById('drop');
  var queue = document.getElementById('queue');
  var maxBytes = Number(form.getAttribute('data-max-bytes')) || 0;
  var accept = (form.getAttribute('data-accept') || '').toLowerCase().split(',');
  var items = [];
  var seq = 0;
  function word(name) { return form.getAttribute('data-' + name) || name; }
  function reasonText(code) {
    var el = document.querySelector('#reasons li[data-code="' + code + '"]') ||
      document.querySelector('#reasons li[data-code="unknown"]');
    return el ? el.textContent : '';
  }

  // the per-file fields replace the form's title (it names one file)
  var onefile = form.querySelector('label.onefile');
  if (onefile) onefile.hidden = true;
  input.required = false;

  function problem(file) {
    var dot = file.name.lastIndexOf('.');
    var ext = dot > 0 ? file.name.slice(dot).toLowerCase() : '';
    if (!ext || accept.indexOf(ext) < 0) return word('bad-type');
    if (file.size === 0) return word('empty');
    if (maxBytes && file.size > maxBytes) return word('too-big');
    return '';
  }

  function setState(it, status, text) {
    it.li.setAttribute('data-status', status);
    it.state.textContent = text;
    var bad = status === 'error' || status === 'failed' || status === 'invalid';
    it.state.className = 'state ' + (bad ? 'failed' : status === 'ready' ? 'ready' : 'converting');
    if (bad) it.bar.hidden = true;
  }

  function field(it, label, el) {
    var l = document.createElement('label');
    l.appendChild(document.createTextNode(label + ' '));
    l.appendChild(el);
    it.fields.appendChild(l);
    return el;
  }

  function add(file) {
    var it = {file: file, id: ++seq};
    var li = it.li = document.createElement('li');
    li.className = 'upfile';
    var head = document.createElement('div');
    head.className = 'filehead';
    var name = document.createElement('span');
    name.className = 'name';
    name.textContent = file.name;
    head.appendChild(name);
    it.bar = document.createElement('progress');
    it.bar.max = 100;
    it.bar.value = 0;
    head.appendChild(it.bar);
    it.state = document.createElement('span');
    it.state.setAttribute('role', 'status');
    head.appendChild(it.state);
    li.appendChild(head);
    queue.appendChild(li);
    var why = problem(file);
    if (why) {
      setState(it, 'invalid', why);
      it.skip = true;
      var rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'remove';
      rm.textContent = word('remove');
      rm.addEventListener('click', function () { li.remove(); });
      head.appendChild(rm);
      return;
    }
    setState(it, 'waiting', '');
    it.fields = document.createElement('div');
    it.fields.className = 'filefields';
    var title = document.createElement('input');
    title.maxLength = 300;
    title.className = 'ftitle';
    title.value = file.name.replace(/\.[^.]*$/, '');
    it.title = field(it, word('file-title'), title);
    var cat = form.elements.category.cloneNode(true);
    cat.removeAttribute('name');
    cat.className = 'fcategory';
    cat.value = form.elements.category.value;
    it.category = field(it, word('file-category'), cat);
    var price = form.elements.price.cloneNode(true);
    price.removeAttribute('name');
    price.className = 'fprice';
    price.value = form.elements.price.value;
    it.price = field(it, word('file-price'), price);
    li.appendChild(it.fields);
    items.push(it);
  }

  function watch(id, it) {
    var link = document.createElement('a');
    link.href = '/doc/' + id;
    link.textContent = word('open');
    it.li.querySelector('.filehead').appendChild(link);
    function poll() {
      var x = new XMLHttpRequest();
      x.open('GET', '/api/v1/doc/' + id);
      x.onload = function () {
        var d;
        try { d = JSON.parse(x.responseText); } catch (e) { d = null; }
        if (!d || x.status !== 200) { setTimeout(poll, 2000); return; }
        if (d.status === 'ready') {
          it.bar.value = 100;
          setState(it, 'ready', word('ready'));
          return;
        }
        if (d.status === 'failed') {
          setState(it, 'failed', word('failed') + '：' + reasonText(d.reason_code || 'unknown'));
          return;
        }
        var m = /^(\d+)\/(\d+)$/.exec(d.progress || '');
        if (d.status === 'converting' && m && Number(m[2])) {
          it.bar.value = Math.round(100 * Number(m[1]) / Number(m[2]));
          setState(it, 'converting', word('converting') + ' ' + m[1] + '/' + m[2]);
        } else {
          it.bar.removeAttribute('value'); // indeterminate while queued
          setState(it, d.status === 'converting' ? 'converting' : 'queued',
            word(d.status === 'converting' ? 'converting' : 'queued'));
        }
        setTimeout(poll, 1000);
      };
      x.onerror = function () { setTimeout(poll, 2000); };
      x.send();
    }
    poll();
  }

  function refused(x, res) {
    if (res && res.reason_code) return res.error || reasonText(res.reason_code);
    if (x.status === 413) return word('too-big');
    if (x.status === 403) return word('expired');
    if (x.status === 0) return word('network');
    return word('error') + (res && res.error ? '：' + res.error : '');
  }

  function send(it, shared) {
    it.sent = true;
    [it.title, it.category, it.price].forEach(function (el) { el.disabled = true; });
    setState(it, 'transfer', word('transfer'));
    var fd = new FormData();
    shared.forEach(function (kv) { fd.append(kv[0], kv[1]); });
    if (it.title.value) fd.append('title', it.title.value);
    if (it.category.value) fd.append('category', it.category.value);
    if (it.price.value !== '') fd.append('price', it.price.value);
    fd.append('file', it.file, it.file.name);
    var x = new XMLHttpRequest();
    x.open('POST', '/api/v1/upload');
    x.setRequestHeader('X-CSRF-Token', form.getAttribute('data-csrf'));
    x.upload.onprogress = function (e) {
      if (e.lengthComputable) it.bar.value = Math.round(100 * e.loaded / e.total);
    };
    x.onload = function () {
      var res;
      try { res = JSON.parse(x.responseText); } catch (e) { res = null; }
      var d = res && res.documents && res.documents[0];
      if (x.status >= 400 || !d) { setState(it, 'error', refused(x, res)); return; }
      if (d.existed) {
        setState(it, 'existed', word('existed'));
        if (d.id) watch(d.id, it);
        return;
      }
      if (d.error) { setState(it, 'error', word('error') + '：' + d.error); return; }
      it.bar.value = 0;
      setState(it, 'queued', word('queued'));
      watch(d.id, it);
    };
    x.onerror = function () { setState(it, 'error', word('network')); };
    x.send(fd);
  }

  function choose(files) {
    for (var i = 0; i < files.length; i++) add(files[i]);
  }

  input.addEventListener('change', function () {
    choose(input.files);
    input.value = '';
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (input.files.length) { choose(input.files); input.value = ''; }
    var shared = [];
    ['description', 'tags'].forEach(function (k) {
      var el = form.elements[k];
      if (el && el.value) shared.push([k, el.value]);
    });
    if (form.elements['private'] && form.elements['private'].checked) shared.push(['private', '1']);
    var waiting = items.filter(function (it) { return !it.sent; });
    waiting.forEach(function (it) { send(it, shared); });
  });
  ['dragenter', 'dragover'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (t) {
    drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove('over'); });
  });
  drop.addEventListener('drop', function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) choose(e.dataTransfer.files);
  });
})();
