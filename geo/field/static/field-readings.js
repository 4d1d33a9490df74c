// The readings entry of the offline field client: one sampling day of a monitoring table at the site open on
// the card (black-odorous water readings, outfall monitoring, a berth's month of shore power), laid out as the
// app's entry lays it out (the pack's tables: the fields typed per row, those entered once for the day).
// What is typed is kept on this device (IndexedDB, per account, site and table) until it is saved; a save checks
// each row here first (required, a number, the possible range: the message names the row and the field), then
// queues the day as one item that is sent with the status changes and written once by the server, which checks
// it again. Every text goes into the page with textContent.
(function () {
  'use strict';

  // Digits, point and minus as a Chinese keyboard may type them, read as ASCII.
  function asciiNumber(text) {
    return String(text).trim()
      .replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[．。，,]/g, '.').replace(/[－—–]/g, '-');
  }

  // The value a typed cell stands for: {value} (null when blank) or {problem: key, vars}.
  function cellValue(f, raw) {
    if (raw === undefined || raw === null || String(raw).trim() === '') { return {value: null}; }
    if (f.type === 'bool') { return {value: raw === true}; }
    if (f.type !== 'int' && f.type !== 'float') { return {value: String(raw).trim()}; }
    var text = asciiNumber(raw);
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(text)) { return {problem: 'rd_not_number'}; }
    var n = Number(text);
    if (!isFinite(n)) { return {problem: 'rd_not_number'}; }
    if (f.type === 'int' && Math.round(n) !== n) { return {problem: 'rd_not_int'}; }
    if (f.minimum !== null && f.minimum !== undefined) {
      if (f.minimum_inclusive === false ? n <= f.minimum : n < f.minimum) {
        return {problem: f.minimum_inclusive === false ? 'rd_min_excl' : 'rd_min', vars: {min: f.minimum}};
      }
    }
    if (f.maximum !== null && f.maximum !== undefined && n > f.maximum) {
      return {problem: 'rd_max', vars: {max: f.maximum}};
    }
    return {value: n};
  }

  function blankRow(row) {
    return !row || Object.keys(row).every(function (k) {
      return row[k] === null || row[k] === undefined || String(row[k]).trim() === '';
    });
  }

  // The entry checked as the server will check it: {rows, common} ready to send, or {error: {row, field, key, vars}}.
  function checkEntry(table, draft) {
    var rows = [], common = {};
    var typed = draft.rows.filter(function (r) { return !blankRow(r); });
    for (var c = 0; c < table.common_fields.length; c++) {
      var cf = table.common_fields[c], cv = cellValue(cf, draft.common[cf.name]);
      if (cv.problem) { return {error: {row: null, field: cf, key: cv.problem, vars: cv.vars}}; }
      if (cv.value !== null) { common[cf.name] = cv.value; }
    }
    for (var i = 0; i < draft.rows.length; i++) {
      if (blankRow(draft.rows[i])) { continue; }
      var out = {};
      for (var j = 0; j < table.row_fields.length; j++) {
        var f = table.row_fields[j], v = cellValue(f, draft.rows[i][f.name]);
        if (v.problem) { return {error: {row: typed.indexOf(draft.rows[i]) + 1, field: f, key: v.problem, vars: v.vars}}; }
        if (v.value === null && f.required) {
          return {error: {row: typed.indexOf(draft.rows[i]) + 1, field: f, key: 'rd_required'}};
        }
        if (v.value !== null) { out[f.name] = v.value; }
      }
      rows.push(out);
    }
    return {rows: rows, common: common};
  }

  function isoDay(d) {
    return d.getFullYear() + '-' + ('0' + (d.getMonth() + 1)).slice(-2) + '-' + ('0' + d.getDate()).slice(-2);
  }

  window.FieldReadings = function (ctx) {
    var el = ctx.el, t = ctx.t, lbl = ctx.lbl, state = ctx.state, DB = window.FieldDB;
    var KEY = 'rdrafts:';  // + the account: each account's drafts apart on a shared device
    var saveTimer = null;
    var opened = {};  // the entries the inspector opened (they stay open when the card is drawn again)

    function tables(site) {
      var all = state.pack && state.pack.pack.tables ? state.pack.pack.tables : {};
      return Object.keys(all).map(function (k) { return all[k]; }).filter(function (tb) { return tb.site_kind === site.kind; });
    }
    function user() { return state.me ? state.me.user : (state.pack ? state.pack.user : null); }
    function draftKey(site, table) { return site.id + ':' + table.key; }
    function newDraft(table) {
      var today = isoDay(new Date());
      return {day: table.period === 'month' ? today.slice(0, 7) : today, time: '', common: {}, rows: [{}]};
    }
    function draftOf(site, table) {
      var all = state.rdrafts.drafts, k = draftKey(site, table);
      if (!all[k]) { all[k] = newDraft(table); }
      return all[k];
    }
    function touched(draft) {
      return draft.rows.some(function (r) { return !blankRow(r); }) || !blankRow(draft.common);
    }
    // Kept on the device a moment after each keystroke (a reload, a closed tab, a flat battery lose nothing).
    function keep() {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(function () {
        var drafts = {};
        Object.keys(state.rdrafts.drafts).forEach(function (k) {
          if (touched(state.rdrafts.drafts[k])) { drafts[k] = state.rdrafts.drafts[k]; }
        });
        if (!state.rdrafts.user) { return; }
        DB.put('kv', {user: state.rdrafts.user, drafts: drafts}, KEY + state.rdrafts.user)
          .catch(function () { /* storage full: kept in memory */ });
      }, 300);
    }

    // The drafts of the account signed in on this device (another account's stay apart, unseen).
    function load() {
      var who = user();
      if (state.rdrafts.user === who && who) { return Promise.resolve(); }
      return (who ? DB.get('kv', KEY + who) : Promise.resolve(null)).then(function (rec) {
        state.rdrafts = {user: who, drafts: rec && rec.drafts ? rec.drafts : {}};
      }).catch(function () { state.rdrafts = {user: who, drafts: {}}; });
    }

    function input(id, f, value, onchange) {
      var node;
      if (f.type === 'int' || f.type === 'float') {
        // A minus needs the full keyboard on most phones: only fields that may be negative ask for it.
        var negative = f.minimum === null || f.minimum === undefined || f.minimum < 0;
        node = el('input', {id: id, type: 'text', inputmode: negative ? 'text' : (f.type === 'int' ? 'numeric' : 'decimal'),
                            autocomplete: 'off', maxlength: '20', value: value === null || value === undefined ? '' : String(value)});
      } else {
        node = el('input', {id: id, type: 'text', maxlength: '500', autocomplete: 'off', value: value || ''});
      }
      node.addEventListener('input', function () { onchange(node.value); });
      return node;
    }

    function fieldLabel(f) { return lbl(f) + (f.unit ? ' (' + f.unit + ')' : ''); }

    function section(site, table) {
      var draft = draftOf(site, table), base = 'rd_' + table.key;
      var k = draftKey(site, table);
      var box = el('details', {cls: 'readings', id: base, 'data-table': table.key, open: !!opened[k] || touched(draft)});
      box.addEventListener('toggle', function () { opened[k] = box.open; });
      box.appendChild(el('summary', {text: t('rd_title', {table: lbl(table)})}));
      box.appendChild(el('p', {cls: 'meta', text: state.lang === 'zh' ? table.description_zh : table.description_en}));
      var identity = table.row_fields.filter(function (f) { return table.identity.indexOf(f.name) >= 0; });
      var per = identity.map(lbl).join(state.lang === 'zh' ? '、' : ', ');
      var gap = state.lang === 'zh' ? '' : ' ';
      box.appendChild(el('p', {cls: 'meta', text: (identity.length ? t('rd_help_rows', {per: per}) + gap : '') + t('rd_help')}));
      var when = el('div', {cls: 'rd-when'});
      var day = el('input', {id: base + '_day', type: table.period === 'month' ? 'month' : 'date', value: draft.day || '',
                             max: table.period === 'month' ? isoDay(new Date()).slice(0, 7) : isoDay(new Date())});
      day.addEventListener('input', function () { draft.day = day.value; keep(); });
      when.appendChild(el('div', {cls: 'field'}, [
        el('label', {'for': base + '_day', text: t(table.period === 'month' ? 'rd_month' : 'rd_day') + ' *'}), day]));
      if (table.has_time) {
        var tm = el('input', {id: base + '_time', type: 'time', value: draft.time || ''});
        tm.addEventListener('input', function () { draft.time = tm.value; keep(); });
        when.appendChild(el('div', {cls: 'field'}, [el('label', {'for': base + '_time', text: t('rd_time')}), tm]));
      }
      box.appendChild(when);
      table.common_fields.forEach(function (f) {
        var id = base + '_c_' + f.name, wrap = el('div', {cls: 'field', 'data-field': f.name});
        if (f.type === 'bool') {
          var cur = draft.common[f.name];
          wrap.appendChild(el('span', {cls: 'label', text: fieldLabel(f)}));
          var seg = el('div', {cls: 'yesno', role: 'radiogroup'});
          [[true, t('yes')], [false, t('no')]].forEach(function (p) {
            seg.appendChild(el('button', {type: 'button', cls: 'seg' + (cur === p[0] ? ' on' : ''), text: p[1],
                                          'aria-pressed': cur === p[0] ? 'true' : 'false', onclick: function () {
              draft.common[f.name] = cur === p[0] ? null : p[0]; keep(); ctx.rerender();
            }}));
          });
          wrap.appendChild(seg);
        } else {
          wrap.appendChild(el('label', {'for': id, text: fieldLabel(f)}));
          wrap.appendChild(input(id, f, draft.common[f.name], function (v) { draft.common[f.name] = v; keep(); }));
        }
        box.appendChild(wrap);
      });
      draft.rows.forEach(function (row, i) {
        var fs = el('fieldset', {cls: 'rd-row', 'data-row': String(i + 1)});
        fs.appendChild(el('legend', {}, [t('rd_row', {n: i + 1}), draft.rows.length > 1 ? el('button', {
          type: 'button', cls: 'link', text: t('rd_remove_row'), onclick: function () {
            draft.rows.splice(i, 1); keep(); ctx.rerender();
          }}) : null]));
        var grid = el('div', {cls: 'rd-cells'});
        table.row_fields.forEach(function (f) {
          var id = base + '_r' + i + '_' + f.name;
          grid.appendChild(el('div', {cls: 'field' + (f.required ? ' required' : ''), 'data-field': f.name}, [
            el('label', {'for': id, text: fieldLabel(f) + (f.required ? ' *' : '')}),
            input(id, f, row[f.name], function (v) { row[f.name] = v; keep(); })
          ]));
        });
        fs.appendChild(grid);
        box.appendChild(fs);
      });
      // Rows told apart by their point and round may be many; a table without such fields has one row a day
      // (or a month, or a sampling time): no second row to add.
      if (identity.length) {
        box.appendChild(el('button', {type: 'button', cls: 'btn', id: base + '_add', text: t('rd_add_row'),
                                      onclick: function () {
          // The next row starts where a sampling round goes on: the same round, the next point to be typed.
          var last = draft.rows[draft.rows.length - 1] || {}, next = {};
          table.row_fields.forEach(function (f) {
            if (f.type === 'int' && table.identity.indexOf(f.name) >= 0 && last[f.name]) { next[f.name] = last[f.name]; }
          });
          draft.rows.push(next); keep(); ctx.rerender();
        }}));
      }
      box.appendChild(ctx.evidenceLine(site));
      box.appendChild(el('button', {type: 'button', cls: 'btn primary save', id: base + '_save', text: t('rd_save'),
                                    onclick: function () { save(site, table); }}));
      return box;
    }

    function save(site, table) {
      var draft = draftOf(site, table);
      var day = table.period === 'month' ? (draft.day ? draft.day + '-01' : '') : draft.day;
      var today = isoDay(new Date());
      if (!day) { return ctx.refuse(t('rd_day_missing')); }
      if (day > today) { return ctx.refuse(t('rd_day_future')); }
      var checked = checkEntry(table, draft);
      if (checked.error) {
        var e = checked.error, problem = t(e.key, e.vars || {});
        return ctx.refuse(e.row === null ? t('rd_bad_common', {field: fieldLabel(e.field), problem: problem})
                                         : t('rd_bad', {n: e.row, field: fieldLabel(e.field), problem: problem}));
      }
      if (!checked.rows.length) { return ctx.refuse(t('rd_empty')); }
      var item = ctx.newItem(site, {type: 'readings', table: table.key, observed_on: day,
                                    observed_time: table.has_time && draft.time ? draft.time : null,
                                    common: checked.common, rows: checked.rows});
      return ctx.enqueue(item, t('rd_saved_local', {table: lbl(table), n: checked.rows.length})).then(function (ok) {
        if (!ok) { return; }
        delete state.rdrafts.drafts[draftKey(site, table)];
        keep();
        ctx.rerender();
      });
    }

    // A refused day of readings back in its site's entry, as typed, and the entry opened. Resolves to false (and
    // changes nothing) when readings typed there since are not saved yet: they are never overwritten.
    function reopen(item) {
      var table = tables({kind: item.kind}).filter(function (tb) { return tb.key === item.table; })[0];
      if (!table) { return Promise.resolve(false); }
      var k = item.site_id + ':' + table.key, current = state.rdrafts.drafts[k];
      if (current && touched(current)) { return Promise.resolve(false); }
      var text = function (v) { return v === null || v === undefined ? '' : (typeof v === 'boolean' ? v : String(v)); };
      var rows = (item.rows || []).map(function (r) {
        var out = {};
        Object.keys(r).forEach(function (n) { out[n] = text(r[n]); });
        return out;
      });
      var common = {};
      Object.keys(item.common || {}).forEach(function (n) { common[n] = text(item.common[n]); });
      state.rdrafts.drafts[k] = {day: table.period === 'month' ? String(item.observed_on).slice(0, 7) : item.observed_on,
                                 time: item.observed_time || '', common: common, rows: rows.length ? rows : [{}]};
      opened[k] = true;
      keep();
      return Promise.resolve(true);
    }

    return {
      load: load,
      reopen: reopen,
      // The entries of the site's monitoring tables (nothing for a kind without one).
      sections: function (site) { return tables(site).map(function (tb) { return section(site, tb); }); },
      table: function (key) { return state.pack && state.pack.pack.tables ? state.pack.pack.tables[key] : null; }
    };
  };
  window.FieldReadings.checkEntry = checkEntry;  // the device's check, on its own (tested table-driven)
}());
