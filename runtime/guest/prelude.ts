/**
 * The guest prelude: JavaScript evaluated in each instance's QuickJS context before the
 * mini-app's script. It defines the guest API (`App`, `Page`, `getApp`, `getCurrentPages`, `h`,
 * `console`, timers, `lily`) on top of a few host functions it keeps in a closure, and returns
 * the entry points the host calls (launch, events, bridge answers, timers, render flush).
 *
 * The prelude is a convenience, not a security boundary: a guest that tampers with built-ins can
 * only confuse its own prelude. Every host function validates its arguments as untrusted input.
 *
 * Written as plain ES2020 in a string so it runs unchanged in QuickJS on every platform.
 */

/** Host functions the prelude receives (the guest never sees this object). */
export const HOST_FUNCTION_NAMES = ['call', 'setData', 'commit', 'log', 'timerSet', 'timerClear', 'fault', 'report', 'poll'] as const;

/** Entry points the prelude returns to the host. */
export const GUEST_ENTRY_NAMES = [
  'launch',
  'appShow',
  'appHide',
  'pageCreate',
  'pageShow',
  'pageHide',
  'pageUnload',
  'event',
  'settle',
  'timer',
  'flush',
  'describe',
  'registrar',
  'hostEvent',
] as const;

/** The prelude source: an expression evaluating to `function (host, configJson) { … }`. */
export const PRELUDE_SOURCE = String.raw`(function (host, configJson) {
  'use strict';
  var G = globalThis;
  var O = Object, A = Array, S = String, J = JSON, R = Reflect, M = Math;
  var jsonStringify = J.stringify, jsonParse = J.parse;
  var create = O.create, defineProperty = O.defineProperty, getProto = O.getPrototypeOf;
  var hop = O.prototype.hasOwnProperty, isArray = A.isArray, apply = R.apply;
  var PromiseCtor = Promise, promiseThen = Promise.prototype.then, ProxyCtor = Proxy;
  var strSlice = S.prototype.slice, strStartsWith = S.prototype.startsWith;
  var strSplit = S.prototype.split, strReplace = S.prototype.replace, strReplaceAll = S.prototype.replaceAll;
  var strIndexOf = S.prototype.indexOf, strToLower = S.prototype.toLowerCase, strLastIndexOf = S.prototype.lastIndexOf, strIncludes = S.prototype.includes;
  var Int32 = Int32Array, TypeErr = TypeError, Err = Error;
  var hostCall = host.call, hostSetData = host.setData, hostCommit = host.commit, hostLog = host.log;
  var hostTimerSet = host.timerSet, hostTimerClear = host.timerClear, hostFault = host.fault, hostReport = host.report, hostPoll = host.poll;
  var RangeErr = RangeError, construct = R.construct;
  var config = jsonParse(configJson);

  function hasOwn(o, k) { return apply(hop, o, [k]); }
  function slice(s, a, b) { return apply(strSlice, s, [a, b]); }
  function push(arr, v) { arr[arr.length] = v; }
  function clone(v) { var j = jsonStringify(v); return j === undefined ? undefined : jsonParse(j); }
  function isObject(v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); }

  function describe(e) {
    var out = { name: '', message: '', stack: '' };
    try {
      if (isObject(e)) {
        var n = e.name, m = e.message, st = e.stack;
        out.name = typeof n === 'string' ? slice(n, 0, 100) : '';
        out.message = typeof m === 'string' ? slice(m, 0, 2000) : '(a thrown ' + (typeof e) + ' without a message)';
        out.stack = typeof st === 'string' ? slice(st, 0, 4000) : '';
      } else if (typeof e === 'string') {
        out.message = slice(e, 0, 2000);
      } else if (typeof e === 'symbol') {
        out.message = '(a thrown symbol)';
      } else {
        out.message = 'a thrown ' + (e === null ? 'null' : typeof e) + ': ' + slice(S(e), 0, 200);
      }
    } catch (inner) {
      out.message = '(a thrown value that cannot be described)';
    }
    return jsonStringify(out);
  }

  function report(where, e) { hostReport(where, describe(e)); }
  function watchAsync(r, where) {
    if (r !== null && typeof r === 'object') {
      try {
        var then = r.then;
        if (typeof then === 'function') apply(then, r, [undefined, function (e) { report(where, e); }]);
      } catch (e) { report(where, e); }
    }
  }
  function callHook(obj, name, args) {
    var fn = obj[name];
    if (typeof fn !== 'function') return undefined;
    var r = apply(fn, obj, args);
    watchAsync(r, name);
    return r;
  }
  function invokeCb(cb, thisArg, args, where) {
    if (typeof cb !== 'function') return;
    try { watchAsync(apply(cb, thisArg, args), where); } catch (e) { report(where, e); }
  }

  // ---- code generation from strings is off -------------------------------------------------
  function lockdown() {
    var message = 'Lily mini-apps cannot compile code from strings (eval, Function, new Function).';
    var protos = [getProto(function () {}), getProto(async function () {}), getProto(function* () {}), getProto(async function* () {})];
    var stubs = [];
    for (var i = 0; i < protos.length; i++) {
      var stub = function Function() { throw new EvalError(message); };
      stub.prototype = protos[i];
      defineProperty(protos[i], 'constructor', { value: stub, writable: false, enumerable: false, configurable: false });
      push(stubs, stub);
    }
    defineProperty(G, 'Function', { value: stubs[0], writable: false, enumerable: false, configurable: false });
    var blockedEval = function () { throw new EvalError(message); };
    defineProperty(blockedEval, 'name', { value: 'eval' });
    defineProperty(G, 'eval', { value: blockedEval, writable: false, enumerable: false, configurable: false });
  }

  // ---- linear-time string search ------------------------------------------------------------
  // QuickJS searches strings naively inside one native call that the CPU deadline cannot
  // interrupt; on long inputs the searches below run in JavaScript instead, in linear time.
  var SEARCH_NATIVE_MAX = 2e7;
  function kmpIndexOf(s, t, from) {
    var m = t.length, n = s.length;
    if (m === 0) return from <= n ? from : n;
    var fail = new Int32(m), k = 0, i;
    for (i = 1; i < m; i++) {
      var c = t.charCodeAt(i);
      while (k > 0 && c !== t.charCodeAt(k)) k = fail[k - 1];
      if (c === t.charCodeAt(k)) k++;
      fail[i] = k;
    }
    k = 0;
    for (i = from; i < n; i++) {
      var d = s.charCodeAt(i);
      while (k > 0 && d !== t.charCodeAt(k)) k = fail[k - 1];
      if (d === t.charCodeAt(k)) k++;
      if (k === m) return i - m + 1;
    }
    return -1;
  }
  function toStr(v, method) {
    if (v === null || v === undefined) throw new TypeErr('String.prototype.' + method + ' called on null or undefined');
    return S(v);
  }
  function toInt(v) { var n = +v; if (n !== n) return 0; if (n === Infinity || n === -Infinity) return n; return n < 0 ? -M.floor(-n) : M.floor(n); }
  function big(s, t) { return s.length * t.length > SEARCH_NATIVE_MAX; }
  function substitution(matched, s, pos, repl) {
    if (apply(strIndexOf, repl, ['$']) < 0) return repl;
    var out = '', i = 0;
    while (i < repl.length) {
      var c = repl[i];
      if (c === '$' && i + 1 < repl.length) {
        var d = repl[i + 1];
        if (d === '$') { out += '$'; i += 2; continue; }
        if (d === '&') { out += matched; i += 2; continue; }
        if (d === '\x60') { out += slice(s, 0, pos); i += 2; continue; }
        if (d === "'") { out += slice(s, pos + matched.length); i += 2; continue; }
      }
      out += c; i++;
    }
    return out;
  }
  var SP = S.prototype;
  function patch(name, fn) { defineProperty(SP, name, { value: fn, writable: true, enumerable: false, configurable: true }); }
  patch('indexOf', function indexOf(search) {
    var s = toStr(this, 'indexOf'), t = S(search);
    var pos = M.min(M.max(toInt(arguments[1]), 0), s.length);
    return big(s, t) ? kmpIndexOf(s, t, pos) : apply(strIndexOf, s, [t, pos]);
  });
  patch('includes', function includes(search) {
    var s = toStr(this, 'includes');
    if (isObject(search)) return apply(strIncludes, s, [search, arguments[1]]);
    var t = S(search), pos = M.min(M.max(toInt(arguments[1]), 0), s.length);
    return big(s, t) ? kmpIndexOf(s, t, pos) >= 0 : apply(strIncludes, s, [t, pos]);
  });
  patch('lastIndexOf', function lastIndexOf(search) {
    var s = toStr(this, 'lastIndexOf'), t = S(search);
    if (!big(s, t)) return apply(strLastIndexOf, s, [t, arguments[1]]);
    var p = +arguments[1], start = p !== p ? Infinity : toInt(p);
    start = M.min(M.max(start, 0), s.length - t.length);
    for (var k = start; k >= 0; k--) if (apply(strStartsWith, s, [t, k])) return k;
    return -1;
  });
  patch('split', function split(sep, limit) {
    var s = toStr(this, 'split');
    if (typeof sep !== 'string' || !big(s, sep) || sep.length === 0) return apply(strSplit, s, [sep, limit]);
    var lim = limit === undefined ? 4294967295 : limit >>> 0, out = [], at = 0;
    if (lim === 0) return out;
    for (;;) {
      var i = kmpIndexOf(s, sep, at);
      if (i < 0) break;
      push(out, slice(s, at, i));
      if (out.length >= lim) return out;
      at = i + sep.length;
    }
    push(out, slice(s, at));
    return out;
  });
  function replaceWith(s, t, repl, all) {
    var out = '', at = 0, i = kmpIndexOf(s, t, 0);
    if (i < 0) return s;
    var fn = typeof repl === 'function', text = fn ? '' : S(repl);
    while (i >= 0) {
      out += slice(s, at, i) + (fn ? S(repl(t, i, s)) : substitution(t, s, i, text));
      at = i + t.length;
      if (!all) break;
      i = kmpIndexOf(s, t, t.length === 0 ? at + 1 : at);
    }
    return out + slice(s, at);
  }
  patch('replace', function replace(pattern, repl) {
    var s = toStr(this, 'replace');
    if (typeof pattern !== 'string' || !big(s, pattern) || pattern.length === 0) return apply(strReplace, s, [pattern, repl]);
    return replaceWith(s, pattern, repl, false);
  });
  patch('replaceAll', function replaceAll(pattern, repl) {
    var s = toStr(this, 'replaceAll');
    if (typeof pattern !== 'string' || !big(s, pattern) || pattern.length === 0) return apply(strReplaceAll, s, [pattern, repl]);
    return replaceWith(s, pattern, repl, true);
  });

  // ---- bulk built-ins check in with the host --------------------------------------------------
  // QuickJS checks the CPU deadline only every few thousand bytecode operations, and its heap
  // accounting undercounts large allocations in the WebAssembly build. Built-ins that can do
  // or allocate a lot in one call therefore report large operations to the host, which checks
  // the deadline and the real heap use; once the instance is being stopped they refuse to work.
  var BIG = 65536;
  function poll(n) {
    if (hostPoll(n)) throw new RangeErr('The mini-app broke a sandbox limit and is being stopped.');
  }
  function lengthOf(v) {
    if (v === null || v === undefined) return 0;
    var n = v.length;
    if (typeof n === 'number') return n;
    n = v.byteLength;
    return typeof n === 'number' ? n : 0;
  }
  function thisLength(t) { return lengthOf(t); }
  function gate(obj, name, before, after) {
    var orig = obj ? obj[name] : undefined;
    if (typeof orig !== 'function') return;
    var w = function () {
      var n = before ? before(this, arguments) : 0;
      if (n >= BIG) poll(n);
      var r = apply(orig, this, arguments);
      if (after) { var m = lengthOf(r); if (m >= BIG) poll(m); }
      return r;
    };
    defineProperty(w, 'name', { value: name });
    defineProperty(w, 'length', { value: orig.length });
    defineProperty(obj, name, { value: w, writable: true, enumerable: false, configurable: true });
  }
  function gateAll(obj, names, before, after) { for (var i = 0; i < names.length; i++) gate(obj, names[i], before, after); }
  var sizeArg0 = function (t, a) { var n = +a[0]; return n === n ? n : 0; };
  gate(SP, 'repeat', function (t, a) { var c = +a[0]; return c === c ? lengthOf(t) * c : 0; }, true);
  gateAll(SP, ['padStart', 'padEnd'], sizeArg0, true);
  gateAll(SP, ['concat', 'normalize', 'toUpperCase', 'toLowerCase', 'toLocaleUpperCase', 'toLocaleLowerCase', 'trim', 'trimStart', 'trimEnd',
    'slice', 'substring', 'substr', 'indexOf', 'lastIndexOf', 'includes', 'startsWith', 'endsWith', 'split', 'replace', 'replaceAll',
    'localeCompare', 'match', 'matchAll', 'search'], thisLength, true);
  gateAll(A.prototype, ['join', 'toString', 'toLocaleString', 'indexOf', 'lastIndexOf', 'includes', 'fill', 'slice', 'splice', 'concat',
    'reverse', 'sort', 'copyWithin', 'flat', 'flatMap', 'toReversed', 'toSorted', 'toSpliced', 'with'], thisLength, true);
  var TAP = getProto(Uint8Array.prototype);
  gateAll(TAP, ['fill', 'set', 'slice', 'indexOf', 'lastIndexOf', 'includes', 'join', 'sort', 'reverse', 'copyWithin', 'map', 'filter',
    'toReversed', 'toSorted', 'with'], thisLength, true);
  gate(ArrayBuffer.prototype, 'slice', thisLength, true);
  gate(J, 'parse', function (t, a) { return typeof a[0] === 'string' ? a[0].length : 0; }, false);
  gate(J, 'stringify', null, true);
  gateAll(O, ['keys', 'values', 'entries', 'getOwnPropertyNames', 'assign'], function (t, a) { return lengthOf(a[0]); }, true);
  gateAll(A, ['from', 'of'], function (t, a) { return lengthOf(a[0]); }, true);
  var RXP = RegExp.prototype, rxSource = O.getOwnPropertyDescriptor(RXP, 'source').get;
  function regexCost(t, a) {
    var input = typeof a[0] === 'string' ? a[0].length : 0, src = 0;
    try { src = apply(rxSource, t, []).length; } catch (e) { src = 0; }
    // QuickJS's regex engine checks the deadline rarely; refuse the few matches that could run for seconds.
    if (src * input > 2e10) throw new RangeErr('This regular expression is too costly to run on such a long input in a mini-app.');
    return input;
  }
  gateAll(RXP, ['exec', 'test'], regexCost, false);
  var symbolNames = ['match', 'matchAll', 'replace', 'search', 'split'];
  for (var si = 0; si < symbolNames.length; si++) {
    var sym = Symbol[symbolNames[si]], origSym = RXP[sym];
    if (typeof origSym !== 'function') continue;
    (function (orig, key) {
      defineProperty(RXP, key, { value: function (str) { var n = regexCost(this, [S(str)]); if (n >= BIG) poll(n); return apply(orig, this, arguments); }, writable: true, enumerable: false, configurable: true });
    })(origSym, sym);
  }
  function guardCtor(name, sizeOf) {
    var C = G[name];
    if (typeof C !== 'function') return;
    var P = new ProxyCtor(C, {
      construct: function (t, args, nt) { var n = sizeOf(args); if (n >= BIG) poll(n); return construct(t, args, nt); },
    });
    defineProperty(C.prototype, 'constructor', { value: P, writable: true, enumerable: false, configurable: true });
    defineProperty(G, name, { value: P, writable: true, enumerable: false, configurable: true });
  }
  var sizeOfBuffer = function (args) { var a = args[0]; if (typeof a === 'number') return a; return isObject(a) ? lengthOf(a) : 0; };
  var TA_NAMES = ['ArrayBuffer', 'SharedArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
    'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];
  for (var ti = 0; ti < TA_NAMES.length; ti++) guardCtor(TA_NAMES[ti], sizeOfBuffer);

  // ---- console --------------------------------------------------------------------------------
  function formatArg(v) {
    if (typeof v === 'string') return v;
    try {
      if (v instanceof Err) return S(v.name) + ': ' + S(v.message);
      if (isObject(v) && typeof v !== 'function') { var j = jsonStringify(v); if (typeof j === 'string') return j; }
      return S(v);
    } catch (e) {
      return '[unprintable ' + typeof v + ']';
    }
  }
  function makeLog(level) {
    return function () {
      var text = '';
      for (var i = 0; i < arguments.length; i++) {
        var part = formatArg(arguments[i]);
        text += (i ? ' ' : '') + (part.length > 8192 ? slice(part, 0, 8192) + '…' : part);
        if (text.length > 16384) break;
      }
      hostLog(level, text);
    };
  }
  var consoleObj = create(null);
  consoleObj.log = makeLog('log');
  consoleObj.info = makeLog('info');
  consoleObj.warn = makeLog('warn');
  consoleObj.error = makeLog('error');
  consoleObj.debug = makeLog('debug');

  // ---- timers ---------------------------------------------------------------------------------
  var timers = create(null), timerSeq = 0;
  function addTimer(fn, delay, args, repeat) {
    if (typeof fn !== 'function') throw new TypeErr('Timers take a function; strings are not evaluated in Lily mini-apps.');
    var id = ++timerSeq, extra = [];
    for (var i = 2; i < args.length; i++) push(extra, args[i]);
    timers[id] = { fn: fn, args: extra, repeat: repeat };
    var ms = +delay;
    if (!(ms >= 0)) ms = 0;
    if (!hostTimerSet(id, ms, repeat)) { delete timers[id]; return 0; }
    return id;
  }
  function clearTimer(id) {
    var n = +id;
    if (timers[n]) { delete timers[n]; hostTimerClear(n); }
  }
  function fireTimer(id) {
    var t = timers[id];
    if (!t) return;
    if (!t.repeat) delete timers[id];
    watchAsync(apply(t.fn, undefined, t.args), 'timer');
  }

  // ---- bridge: lily.<category>.<name>.<method>(params) ----------------------------------------
  var pending = create(null);
  function splitCallbacks(params) {
    var out = { rest: params === undefined ? {} : params, success: undefined, fail: undefined, complete: undefined };
    if (!isObject(params) || isArray(params) || typeof params === 'function') return out;
    if (typeof params.success !== 'function' && typeof params.fail !== 'function' && typeof params.complete !== 'function') return out;
    var rest = {}, found = false;
    for (var k in params) {
      if (!hasOwn(params, k)) continue;
      var v = params[k];
      if ((k === 'success' || k === 'fail' || k === 'complete') && typeof v === 'function') { out[k] = v; found = true; }
      else rest[k] = v;
    }
    if (found) out.rest = rest;
    return out;
  }
  function withCallbacks(p, cbs) {
    if (cbs.success || cbs.fail || cbs.complete) {
      apply(promiseThen, p, [
        function (v) { invokeCb(cbs.success, undefined, [v], 'success'); invokeCb(cbs.complete, undefined, [v], 'complete'); },
        function (e) { invokeCb(cbs.fail, undefined, [e], 'fail'); invokeCb(cbs.complete, undefined, [e], 'complete'); },
      ]);
    }
    return p;
  }
  function rejected(payload, cbs) {
    return withCallbacks(new PromiseCtor(function (res, rej) { rej(payload); }), cbs);
  }
  // Listeners (lily.base.network.onNetworkStatusChange(cb)): the function stays in the guest,
  // keyed by capability and method; the host is told only that one was registered, and later
  // delivers each event through hostEvent().
  var listeners = create(null);
  function isListenerMethod(method) {
    return slice(method, 0, 2) === 'on' && method.length > 2 && slice(method, 2, 3) !== apply(strToLower, slice(method, 2, 3), []);
  }
  function hostEvent(name, json) {
    var list = listeners[name];
    if (!list) return;
    var payload = jsonParse(json);
    for (var i = 0; i < list.length; i++) {
      try { watchAsync(apply(list[i], undefined, [clone(payload)]), 'listener'); } catch (e) { report('listener', e); }
    }
  }
  function makeMethod(capId, method) {
    var f = function (params) {
      // A listener is registered once the host accepted the call (granted, not rate-limited).
      var listener;
      if (typeof params === 'function' && isListenerMethod(method)) { listener = params; params = {}; }
      var cbs = splitCallbacks(params), json;
      try { json = jsonStringify(cbs.rest); } catch (e) {
        return rejected({ code: 'INVALID_PARAMS', message: 'The parameters cannot be sent as JSON.' }, cbs);
      }
      if (json === undefined) json = 'null';
      var d = {};
      var p = new PromiseCtor(function (res, rej) { d.res = res; d.rej = rej; });
      var r = hostCall(capId, method, json);
      if (typeof r === 'number') { if (r > 0) pending[r] = d; }
      else d.rej(jsonParse(r));
      if (listener !== undefined) {
        var key = capId + '.' + method;
        p = apply(promiseThen, p, [function (v) {
          var list = listeners[key] || (listeners[key] = []);
          if (list.length >= 16) throw { code: 'LIMIT_EXCEEDED', message: 'At most 16 listeners per event.' };
          push(list, listener);
          return v;
        }]);
      }
      return withCallbacks(p, cbs);
    };
    defineProperty(f, 'name', { value: method });
    return f;
  }
  function unknownMethod(path) {
    return function () {
      return rejected({ code: 'UNKNOWN_CAPABILITY', message: 'No such capability or method: lily.' + path + '.' }, splitCallbacks(arguments[0]));
    };
  }
  var NS_SKIP = { then: 1, toJSON: 1, constructor: 1, valueOf: 1, toString: 1, inspect: 1 };
  function namespace(target, path, level, anyMethodOf) {
    return new ProxyCtor(target, {
      get: function (t, k) {
        if (typeof k !== 'string') return undefined;
        if (hasOwn(t, k)) return t[k];
        if (hasOwn(NS_SKIP, k)) return undefined;
        var p = path ? path + '.' + k : k;
        if (anyMethodOf) return (t[k] = makeMethod(anyMethodOf, k));
        return level < 2 ? namespace(create(null), p, level + 1, null) : unknownMethod(p);
      },
      set: function () { return false; },
      defineProperty: function () { return false; },
      deleteProperty: function () { return false; },
      setPrototypeOf: function () { return false; },
    });
  }
  function buildLily(list) {
    var tree = create(null);
    for (var i = 0; i < list.length; i++) {
      var id = list[i].id, dot = apply(strIndexOf, id, ['.']);
      var cat = slice(id, 0, dot), name = slice(id, dot + 1);
      if (!tree[cat]) tree[cat] = create(null);
      if (!tree[cat][name]) tree[cat][name] = { id: id, methods: create(null), any: false };
      var entry = tree[cat][name];
      if (list[i].methods === '*') entry.any = true;
      else for (var j = 0; j < list[i].methods.length; j++) entry.methods[list[i].methods[j]] = makeMethod(id, list[i].methods[j]);
    }
    var root = create(null);
    for (var c in tree) {
      var catObj = create(null);
      for (var n in tree[c]) catObj[n] = namespace(tree[c][n].methods, c + '.' + n, 2, tree[c][n].any ? tree[c][n].id : null);
      root[c] = namespace(catObj, c, 1, null);
    }
    // Flat aliases (lily.requestPayment) for WeChat-style ports: only names that are unique across
    // the granted capabilities and never shadow a category.
    var seen = create(null);
    for (var c2 in tree) for (var n2 in tree[c2]) for (var m in tree[c2][n2].methods) seen[m] = hasOwn(seen, m) ? null : tree[c2][n2].methods[m];
    for (var alias in seen) if (seen[alias] && !hasOwn(root, alias)) root[alias] = seen[alias];
    return namespace(root, '', 0, null);
  }
  function settle(id, ok, json) {
    var d = pending[id];
    if (!d) return;
    delete pending[id];
    var v = jsonParse(json);
    if (ok) d.res(v); else d.rej(v);
  }

  // ---- App, Page, setData, render ------------------------------------------------------------
  var defs = create(null), currentRoute = null, appDef = null, appInstance = null;
  var pages = create(null), order = [], rendering = null;
  function App(def) {
    if (appDef !== null) throw new Err('App() may be called only once.');
    if (!isObject(def)) throw new TypeErr('App() takes an object.');
    appDef = def;
  }
  function Page(def) {
    if (currentRoute === null) throw new Err('Page() must be called by a page module while it loads.');
    if (!isObject(def)) throw new TypeErr('Page() takes an object.');
    if (defs[currentRoute]) throw new Err('Page() was called twice for ' + currentRoute + '.');
    defs[currentRoute] = def;
  }
  function getApp() {
    if (appInstance === null) {
      appInstance = {};
      if (appDef !== null) for (var k in appDef) if (hasOwn(appDef, k)) appInstance[k] = appDef[k];
      if (appInstance.globalData === undefined) appInstance.globalData = {};
    }
    return appInstance;
  }
  function getCurrentPages() {
    var out = [];
    for (var i = 0; i < order.length; i++) push(out, order[i].page);
    return out;
  }
  var BAD_SEGMENT = create(null);
  BAD_SEGMENT['__proto__'] = 1;
  BAD_SEGMENT.prototype = 1;
  BAD_SEGMENT.constructor = 1;
  function pathSegments(path) {
    var segs = [], cur = '', i = 0;
    while (i < path.length) {
      var c = path[i];
      if (c === '.') { if (cur !== '') push(segs, cur); cur = ''; i++; continue; }
      if (c === '[') {
        if (cur !== '') push(segs, cur);
        cur = '';
        var close = apply(strIndexOf, path, [']', i]);
        if (close < 0) throw new TypeErr('setData: bad path "' + path + '"');
        var idx = +slice(path, i + 1, close);
        if (!(idx >= 0 && idx === M.floor(idx) && idx < 1e7)) throw new TypeErr('setData: bad index in "' + path + '"');
        push(segs, idx);
        i = close + 1;
        continue;
      }
      cur += c; i++;
    }
    if (cur !== '') push(segs, cur);
    for (var j = 0; j < segs.length; j++) {
      if (typeof segs[j] === 'string' && BAD_SEGMENT[segs[j]]) throw new TypeErr('setData: "' + segs[j] + '" is not allowed in a path');
    }
    if (segs.length === 0) throw new TypeErr('setData: empty path');
    return segs;
  }
  function setPath(data, path, value) {
    if (apply(strIndexOf, path, ['.']) < 0 && apply(strIndexOf, path, ['[']) < 0) {
      if (BAD_SEGMENT[path]) throw new TypeErr('setData: "' + path + '" is not allowed as a key');
      data[path] = value;
      return;
    }
    var segs = pathSegments(path), obj = data;
    for (var i = 0; i < segs.length - 1; i++) {
      var next = obj[segs[i]];
      if (!isObject(next)) { next = typeof segs[i + 1] === 'number' ? [] : {}; obj[segs[i]] = next; }
      obj = next;
    }
    obj[segs[segs.length - 1]] = value;
  }
  function setDataFor(rec, patchObj, cb) {
    if (rendering !== null) {
      hostFault('reentrant-render', 'setData was called while page ' + rendering.route + ' was rendering; render(data) must only build the view.');
      return;
    }
    if (!isObject(patchObj) || isArray(patchObj)) throw new TypeErr('setData takes an object such as { count: 1 }.');
    var json = jsonStringify(patchObj);
    if (!hostSetData(rec.id, json)) return;
    var copy = jsonParse(json), page = rec.page;
    if (!isObject(page.data)) page.data = {};
    for (var k in copy) if (hasOwn(copy, k)) setPath(page.data, k, copy[k]);
    rec.dirty = true;
    if (typeof cb === 'function') push(rec.callbacks, cb);
  }
  var FRAGMENT = 'lily.fragment';
  function pushChild(out, c) {
    if (c === null || c === undefined || c === false || c === true) return;
    if (isArray(c)) { for (var i = 0; i < c.length; i++) pushChild(out, c[i]); return; }
    push(out, typeof c === 'number' ? '' + c : c);
  }
  function h(type, props) {
    var children = [], k;
    for (var i = 2; i < arguments.length; i++) pushChild(children, arguments[i]);
    if (typeof type === 'function') {
      var p = {};
      if (isObject(props)) for (k in props) if (hasOwn(props, k)) p[k] = props[k];
      p.children = children;
      return type(p);
    }
    if (type === FRAGMENT) return children;
    var ps = {};
    if (isObject(props)) {
      for (k in props) {
        if (!hasOwn(props, k)) continue;
        if (typeof props[k] === 'function') {
          throw new TypeErr('Prop "' + k + '" of <' + type + '> is a function: bind events by method name, e.g. bindtap="onTap".');
        }
        ps[k] = props[k];
      }
    }
    return { type: type, props: ps, children: children };
  }
  defineProperty(h, 'Fragment', { value: FRAGMENT, writable: false, enumerable: true, configurable: false });

  function renderPage(rec) {
    var page = rec.page;
    if (typeof page.render !== 'function') throw new Err('Page ' + rec.route + ' has no render(data) method.');
    var t = apply(page.render, page, [page.data]);
    if (isArray(t)) t = { type: 'view', props: {}, children: t };
    if (t === null || t === undefined) t = { type: 'view', props: {}, children: [] };
    return t;
  }
  function flush() {
    for (var i = 0; i < order.length; i++) {
      var rec = order[i];
      if (!rec.dirty) continue;
      rec.dirty = false;
      var tree;
      rendering = rec;
      try { tree = renderPage(rec); } finally { rendering = null; }
      var json = jsonStringify(tree);
      hostCommit(rec.id, typeof json === 'string' ? json : 'null');
      var cbs = rec.callbacks;
      rec.callbacks = [];
      for (var j = 0; j < cbs.length; j++) invokeCb(cbs[j], rec.page, [], 'setData');
    }
  }

  function pageCreate(id, route, queryJson) {
    var def = defs[route];
    if (!def) throw new Err('No Page() was registered for ' + route + '.');
    var page = {};
    for (var k in def) if (hasOwn(def, k) && k !== 'data') page[k] = def[k];
    page.data = def.data === undefined ? {} : clone(def.data);
    if (!isObject(page.data)) page.data = {};
    var query = jsonParse(queryJson);
    page.route = route;
    page.options = query;
    var rec = { id: id, route: route, page: page, dirty: true, callbacks: [] };
    page.setData = function setData(p, cb) { return setDataFor(rec, p, cb); };
    pages[id] = rec;
    push(order, rec);
    callHook(page, 'onLoad', [query]);
  }
  function pageShow(id) { var rec = pages[id]; if (rec) callHook(rec.page, 'onShow', []); }
  function pageHide(id) { var rec = pages[id]; if (rec) callHook(rec.page, 'onHide', []); }
  function pageUnload(id) {
    var rec = pages[id];
    if (!rec) return;
    delete pages[id];
    var kept = [];
    for (var i = 0; i < order.length; i++) if (order[i] !== rec) push(kept, order[i]);
    order = kept;
    callHook(rec.page, 'onUnload', []);
  }
  function event(id, handler, json) {
    var rec = pages[id];
    if (!rec) return;
    var fn = rec.page[handler];
    if (typeof fn !== 'function') throw new TypeErr('Page ' + rec.route + ' has no method "' + handler + '".');
    watchAsync(apply(fn, rec.page, [jsonParse(json)]), 'event');
  }
  function launch(json) {
    var app = getApp(), options = jsonParse(json);
    callHook(app, 'onLaunch', [options]);
    callHook(app, 'onShow', [options]);
  }
  function appShow(json) { callHook(getApp(), 'onShow', [jsonParse(json)]); }
  function appHide() { callHook(getApp(), 'onHide', []); }

  var registrar = create(null);
  registrar.app = function (fn) { fn(); };
  registrar.page = function (route, fn) {
    var previous = currentRoute;
    currentRoute = S(route);
    try { fn(); } finally { currentRoute = previous; }
  };

  function define(name, value) { defineProperty(G, name, { value: value, writable: false, enumerable: false, configurable: false }); }
  define('App', App);
  define('Page', Page);
  define('getApp', getApp);
  define('getCurrentPages', getCurrentPages);
  define('h', h);
  define('console', consoleObj);
  define('setTimeout', function setTimeout(fn, delay) { return addTimer(fn, delay, arguments, false); });
  define('setInterval', function setInterval(fn, delay) { return addTimer(fn, delay, arguments, true); });
  define('clearTimeout', function clearTimeout(id) { clearTimer(id); });
  define('clearInterval', function clearInterval(id) { clearTimer(id); });
  define('lily', buildLily(config.capabilities));
  lockdown();

  return {
    launch: launch, appShow: appShow, appHide: appHide,
    pageCreate: pageCreate, pageShow: pageShow, pageHide: pageHide, pageUnload: pageUnload,
    event: event, settle: settle, timer: fireTimer, flush: flush, describe: describe, registrar: registrar,
    hostEvent: hostEvent,
  };
})`;
