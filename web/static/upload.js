// The upload page: files chosen or dropped join a queue where each is
// checked before anything is sent (its name's extension among those the
// site converts, its size within the site's limit, not empty: a file that
// fails is marked with why, and no request is made for it) and gets its
// own title (from its name), category and price. 上传 sends each in a
// request of its own, so each has its own status: the transfer's
// progress, then the conversion's (the document's status, asked for every
// second), then 已完成 with a link, or why it failed in plain words (the
// page lists the reasons' codes in the reader's language: #reasons).
// A whole folder comes in through 选择文件夹 (a directory picker) or by
// dropping folders (their entries walked): each file a row of its own,
// named by its path in the folder, hidden files left out, the folder's
// path offered as the category when it (or its end) names one of the
// site's; uploads go a few at a time, and a total line counts the rows
// done, failed and in all.
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
  var SENDING = 3; // uploads under way at once; the rest wait their turn
  var sending = 0, backlog = [];
  var folderInput = document.getElementById('upload-folder');
  var total = document.getElementById('total');
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

  // the total line: rows done, failed and in all
  function count() {
    var rows = queue.querySelectorAll('li.upfile'), done = 0, failed = 0;
    for (var i = 0; i < rows.length; i++) {
      var st = rows[i].getAttribute('data-status');
      if (st === 'ready') done++;
      else if (st === 'failed' || st === 'error' || st === 'invalid') failed++;
    }
    total.hidden = rows.length < 2;
    total.textContent = word('sum') + ' ' + word('ready') + ' ' + done + ' · ' + word('sum-failed') + ' ' +
      failed + ' · ' + word('sum-all') + ' ' + rows.length;
  }

  // The site's category a folder's path names: the whole path, else the
  // longest end of it that is one ('我的资料/教育资料/高中' offers
  // 教育资料/高中), else ''.
  function categoryOf(dir) {
    var opts = form.elements.category.options, parts = dir.split('/');
    for (var i = 0; i < parts.length; i++) {
      var cand = parts.slice(i).join('/');
      for (var k = 0; k < opts.length; k++) if (opts[k].value && opts[k].value === cand) return cand;
    }
    return '';
  }

  function setState(it, status, text) {
    it.li.setAttribute('data-status', status);
    it.state.textContent = text;
    var bad = status === 'error' || status === 'failed' || status === 'invalid';
    it.state.className = 'state ' + (bad ? 'failed' : status === 'ready' ? 'ready' : 'converting');
    if (bad) it.bar.hidden = true;
    count();
  }

  function field(it, label, el) {
    var l = document.createElement('label');
    l.appendChild(document.createTextNode(label + ' '));
    l.appendChild(el);
    it.fields.appendChild(l);
    return el;
  }

  // rel: the file's path in a folder chosen or dropped ('' for a file)
  function add(file, rel) {
    var it = {file: file, id: ++seq};
    var slash = rel ? rel.lastIndexOf('/') : -1, dir = slash > 0 ? rel.slice(0, slash) : '';
    var li = it.li = document.createElement('li');
    li.className = 'upfile';
    var head = document.createElement('div');
    head.className = 'filehead';
    var name = document.createElement('span');
    name.className = 'name';
    name.textContent = rel || file.name;
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
      rm.addEventListener('click', function () { li.remove(); count(); });
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
    cat.value = (dir && categoryOf(dir)) || form.elements.category.value;
    it.category = field(it, word('file-category'), cat);
    if (dir) {
      var where = document.createElement('span');
      where.className = 'folder';
      where.textContent = word('folder') + '：' + dir;
      it.fields.insertBefore(where, it.fields.firstChild);
    }
    var price = form.elements.price.cloneNode(true);
    price.removeAttribute('name');
    price.className = 'fprice';
    price.value = form.elements.price.value;
    it.price = field(it, word('file-price'), price);
    li.appendChild(it.fields);
    items.push(it);
    count();
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

  // one upload ended (answered or not): the next one waiting goes
  function sent() {
    sending--;
    if (backlog.length) { var next = backlog.shift(); send(next[0], next[1]); }
  }

  function send(it, shared) {
    it.sent = true;
    if (sending >= SENDING) {
      backlog.push([it, shared]);
      it.bar.removeAttribute('value');
      setState(it, 'waiting', word('queued'));
      return;
    }
    sending++;
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
      sent();
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
    x.onerror = function () { sent(); setState(it, 'error', word('network')); };
    x.send(fd);
  }

  function choose(files) {
    for (var i = 0; i < files.length; i++) add(files[i], '');
  }

  // files of folders: [file, path in the folder] pairs, sorted by path;
  // hidden files (a part of the path starting with '.') left out
  function chooseTree(pairs) {
    pairs = pairs.filter(function (p) { return !/(^|\/)\./.test(p[1]); });
    pairs.sort(function (a, b) { return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
    pairs.forEach(function (p) { add(p[0], p[1]); });
  }

  // Every file under the dropped entries (FileSystemEntry), then done(pairs).
  function walkEntries(entries, done) {
    var out = [], pending = 1;
    function finish() { if (--pending === 0) done(out); }
    function visit(en) {
      pending++;
      if (en.isFile) {
        en.file(function (f) { out.push([f, en.fullPath.replace(/^\//, '')]); finish(); }, finish);
      } else if (en.isDirectory) {
        var reader = en.createReader();
        // readEntries gives a directory's entries a batch at a time, then []
        var more = function () {
          reader.readEntries(function (list) {
            if (!list.length) { finish(); return; }
            list.forEach(visit);
            more();
          }, finish);
        };
        more();
      } else {
        finish();
      }
    }
    entries.forEach(visit);
    finish();
  }

  if (folderInput && 'webkitdirectory' in folderInput) {
    document.getElementById('folderpick').hidden = false;
    var hint = drop.querySelector('.drophint');
    if (hint) hint.textContent = word('drop-folders');
    folderInput.addEventListener('change', function () {
      var pairs = [];
      for (var i = 0; i < folderInput.files.length; i++) {
        var f = folderInput.files[i];
        pairs.push([f, f.webkitRelativePath || f.name]);
      }
      chooseTree(pairs);
      folderInput.value = '';
    });
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
    var dt = e.dataTransfer;
    if (!dt) return;
    // the entries are to be taken while the event lasts; a folder is one
    var entries = [], items0 = dt.items || [];
    for (var i = 0; i < items0.length; i++) {
      var en = items0[i].webkitGetAsEntry ? items0[i].webkitGetAsEntry() : null;
      if (en) entries.push(en);
    }
    if (entries.length && entries.some(function (en) { return en.isDirectory; })) walkEntries(entries, chooseTree);
    else if (dt.files.length) choose(dt.files);
  });
})();
