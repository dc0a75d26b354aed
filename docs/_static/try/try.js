/* audioviz Try-it page: microphone or WAV file in, the model's answer and its reasons out.
 *
 * Listening: the microphone is read through an AudioWorklet (a ScriptProcessor where there is
 * none); the take ends when the button is pressed again, or by itself when the voice has
 * fallen back to the room's level for 0.25 s (so the answer comes within half a second of the word ending),
 * or after 4 s. The computation is in engine.js; the model's numbers in model.js.
 */
(function () {
  "use strict";
  var E = window.AudiovizEngine;
  var HANGOVER_S = 0.25, MAX_S = 4, MIN_SPEECH_S = 0.08;
  var $ = function (id) { return document.getElementById(id); };
  var model = null, colormaps = window.AUDIOVIZ_COLORMAPS || {}, last = null, sequence = 0;

  function setStatus(text, isError) {
    var el = $("status");
    el.textContent = text;
    el.classList.toggle("try-error", !!isError);
  }

  function niceLabel(label) {
    if (label === "_unknown_") return "another word (neither)";
    if (label === "_silence_") return "silence or noise (neither)";
    return label;
  }

  function shortLabel(label) {
    if (label === "_unknown_") return "another word";
    if (label === "_silence_") return "silence, noise";
    return label;
  }

  /* ---- drawing ------------------------------------------------------------------------------- */

  var MARGIN = { left: 62, right: 92, top: 10, bottom: 34 };

  function prepareCanvas(canvas) {
    var ratio = window.devicePixelRatio || 1, cssWidth = canvas.clientWidth || 900;
    var cssHeight = Math.round(cssWidth * canvas.height / canvas.width) || canvas.height;
    if (cssWidth < 500) cssHeight = Math.max(cssHeight, canvas.id === "waveform" ? 140 : 200);
    canvas.style.height = cssHeight + "px";
    canvas.width = Math.round(cssWidth * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    ctx.font = "12px system-ui, sans-serif";
    var narrow = cssWidth < 500;
    var m = { left: narrow ? 56 : MARGIN.left, right: narrow ? 64 : MARGIN.right, top: MARGIN.top, bottom: MARGIN.bottom };
    return { ctx: ctx, w: cssWidth, h: cssHeight, m: m, narrow: narrow, plotW: cssWidth - m.left - m.right, plotH: cssHeight - m.top - m.bottom };
  }

  function timeAxis(p, seconds) {
    var ctx = p.ctx, step = p.plotW < 300 ? 0.25 : 0.1;
    ctx.fillStyle = "#222"; ctx.strokeStyle = "#222"; ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (var t = 0; t <= seconds + 1e-9; t += step) {
      var x = p.m.left + t / seconds * p.plotW;
      ctx.beginPath(); ctx.moveTo(x, p.m.top + p.plotH); ctx.lineTo(x, p.m.top + p.plotH + 4); ctx.stroke();
      ctx.fillText(t.toFixed(step < 0.2 ? 1 : 2), x, p.m.top + p.plotH + 6);
    }
    ctx.fillText("Time (s)", p.m.left + p.plotW / 2, p.m.top + p.plotH + 19);
  }

  function yLabel(p, text) {
    var ctx = p.ctx;
    ctx.save(); ctx.translate(9, p.m.top + p.plotH / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillStyle = "#222"; ctx.fillText(text, 0, 0); ctx.restore();
  }

  function drawWaveform(clip, rate) {
    var p = prepareCanvas($("waveform")), ctx = p.ctx, n = clip.length, seconds = n / rate;
    var peak = 1e-9;
    for (var i = 0; i < n; i++) peak = Math.max(peak, Math.abs(clip[i]));
    var limit = Math.max(peak, 0.05);
    ctx.strokeStyle = "#ccc"; ctx.strokeRect(p.m.left, p.m.top, p.plotW, p.plotH);
    var mid = p.m.top + p.plotH / 2;
    ctx.beginPath(); ctx.moveTo(p.m.left, mid); ctx.lineTo(p.m.left + p.plotW, mid); ctx.stroke();
    ctx.fillStyle = "#1f77b4";
    var columns = Math.max(1, Math.floor(p.plotW));
    for (var c = 0; c < columns; c++) {  // min/max envelope per pixel column
      var a = Math.floor(c * n / columns), b = Math.max(a + 1, Math.floor((c + 1) * n / columns)), lo = 0, hi = 0;
      for (var k = a; k < b; k++) { lo = Math.min(lo, clip[k]); hi = Math.max(hi, clip[k]); }
      var y0 = mid - hi / limit * p.plotH / 2, y1 = mid - lo / limit * p.plotH / 2;
      ctx.fillRect(p.m.left + c, y0, 1, Math.max(1, y1 - y0));
    }
    ctx.fillStyle = "#222"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    [limit, 0, -limit].forEach(function (v) { ctx.fillText(v.toFixed(p.narrow ? 1 : 2), p.m.left - 6, mid - v / limit * p.plotH / 2); });
    yLabel(p, "Amplitude");
    timeAxis(p, seconds);
  }

  function colour(map, v) {
    var lut = colormaps[map];
    var i = Math.max(0, Math.min(255, Math.round(v * 255)));
    if (!lut) return [v * 255, v * 255, v * 255];
    return lut[i];
  }

  function melOf(hz, scale) {
    if (scale === "slaney") {
      var fSp = 200 / 3, minLogHz = 1000, minLogMel = minLogHz / fSp, logstep = Math.log(6.4) / 27;
      return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logstep : hz / fSp;
    }
    return 2595 * Math.log10(1 + hz / 700);
  }

  /* Rows are mel bands, evenly spaced in mel: a tick at f Hz sits at its true mel position. */
  function melAxis(p, fe) {
    var ctx = p.ctx, centres = fe.mel_centers_hz, n = centres.length;
    var m0 = melOf(centres[0], fe.mel_scale), m1 = melOf(centres[n - 1], fe.mel_scale), rowH = p.plotH / n;
    var ticks = p.plotH < 170 ? [250, 1000, 4000] : [100, 250, 500, 1000, 2000, 4000, 8000];
    ctx.fillStyle = "#222"; ctx.strokeStyle = "#222"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ticks.forEach(function (hz) {
      if (hz < fe.f_min || hz > fe.f_max) return;
      var row = (melOf(hz, fe.mel_scale) - m0) / (m1 - m0) * (n - 1);
      var y = p.m.top + p.plotH - (row + 0.5) * rowH;
      if (y < p.m.top - 1 || y > p.m.top + p.plotH + 1) return;
      ctx.beginPath(); ctx.moveTo(p.m.left - 4, y); ctx.lineTo(p.m.left, y); ctx.stroke();
      ctx.fillText(hz >= 1000 ? (hz / 1000) + "k" : String(hz), p.m.left - 6, y);
    });
    yLabel(p, "Frequency (Hz, mel scale)");
  }

  function colorbar(p, map, lo, hi, label, format) {
    var ctx = p.ctx, x = p.m.left + p.plotW + 10, w = 10;
    for (var i = 0; i < p.plotH; i++) {
      var rgb = colour(map, 1 - i / p.plotH);
      ctx.fillStyle = "rgb(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + ")";
      ctx.fillRect(x, p.m.top + i, w, 1.5);
    }
    ctx.strokeStyle = "#888"; ctx.strokeRect(x, p.m.top, w, p.plotH);
    ctx.fillStyle = "#222"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillText(format(hi), x + w + 4, p.m.top + 4);
    ctx.fillText(format(lo), x + w + 4, p.m.top + p.plotH - 4);
    var tickWidth = Math.max(ctx.measureText(format(hi)).width, ctx.measureText(format(lo)).width);
    ctx.save(); ctx.translate(x + w + 12 + tickWidth, p.m.top + p.plotH / 2); ctx.rotate(Math.PI / 2);
    ctx.textAlign = "center"; ctx.fillText(label, 0, 0); ctx.restore();
  }

  /* An offscreen image of n_mels x frames pixels, one per mel band and frame. */
  function bandImage(mel, valueAt) {
    var img = document.createElement("canvas");
    img.width = mel.frames; img.height = mel.nMels;
    var ictx = img.getContext("2d"), data = ictx.createImageData(mel.frames, mel.nMels);
    for (var m = 0; m < mel.nMels; m++) for (var t = 0; t < mel.frames; t++) {
      var rgba = valueAt(m, t), at = ((mel.nMels - 1 - m) * mel.frames + t) * 4;
      data.data[at] = rgba[0]; data.data[at + 1] = rgba[1]; data.data[at + 2] = rgba[2]; data.data[at + 3] = rgba[3];
    }
    ictx.putImageData(data, 0, 0);
    return img;
  }

  function decibels(mel) {
    var db = new Float64Array(mel.data.length), top = -Infinity;
    for (var i = 0; i < db.length; i++) { db[i] = 10 * Math.log10(mel.data[i] + 1e-10); top = Math.max(top, db[i]); }
    return { values: db, top: top, bottom: top - 80 };
  }

  function drawSpectrogram(canvasId, mel, fe, overlay) {
    var p = prepareCanvas($(canvasId)), ctx = p.ctx, db = decibels(mel);
    var seconds = mel.frames * fe.hop_length / fe.sample_rate;
    var base = bandImage(mel, function (m, t) {
      var v = (db.values[m * mel.frames + t] - db.bottom) / (db.top - db.bottom);
      v = Math.max(0, Math.min(1, v));
      if (overlay) { var g = 255 - Math.round(170 * v); return [g, g, g, 255]; }  // grey background
      var rgb = colour("magma", v);
      return [rgb[0], rgb[1], rgb[2], 255];
    });
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(base, p.m.left, p.m.top, p.plotW, p.plotH);
    if (overlay) {
      var cam = overlay.cam, peak = 1e-12;
      for (var i = 0; i < cam.data.length; i++) peak = Math.max(peak, cam.data[i]);
      var small = document.createElement("canvas");
      small.width = cam.W; small.height = cam.H;
      var sctx = small.getContext("2d"), d = sctx.createImageData(cam.W, cam.H);
      for (var y = 0; y < cam.H; y++) for (var x = 0; x < cam.W; x++) {
        var v = cam.data[y * cam.W + x] / peak, rgb = colour("inferno", v), at = ((cam.H - 1 - y) * cam.W + x) * 4;
        d.data[at] = rgb[0]; d.data[at + 1] = rgb[1]; d.data[at + 2] = rgb[2]; d.data[at + 3] = Math.round(235 * Math.pow(v, 0.8));
      }
      sctx.putImageData(d, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "high";
      // Each cell of the last block covers `scale` x `scale` input cells; pooling floors odd
      // sizes, so the grid covers the first cam.W * scale frames (and bands), not always all.
      var coverW = Math.min(1, cam.W * cam.scale / mel.frames), coverH = Math.min(1, cam.H * cam.scale / mel.nMels);
      ctx.drawImage(small, p.m.left, p.m.top + p.plotH * (1 - coverH), p.plotW * coverW, p.plotH * coverH);
      colorbar(p, "inferno", 0, 1, p.narrow ? "relevance" : "relevance (share of peak)", function (v) { return v.toFixed(0); });
    } else {
      colorbar(p, "magma", db.bottom, db.top, "power (dB)", function (v) { return v.toFixed(0) + (p.narrow ? "" : " dB"); });
    }
    ctx.strokeStyle = "#888"; ctx.strokeRect(p.m.left, p.m.top, p.plotW, p.plotH);
    melAxis(p, fe);
    timeAxis(p, seconds);
  }

  function showProbabilities(result) {
    var table = $("probabilities");
    table.textContent = "";
    var body = document.createElement("tbody");
    model.labels.forEach(function (label) {
      var p = result.probabilities[label], tr = document.createElement("tr");
      if (label === result.label) tr.className = "try-top";
      var name = document.createElement("td");
      name.textContent = shortLabel(label);
      if (model.words.indexOf(label) < 0) {  // a "neither" class: say so under its name
        var tag = document.createElement("div"); tag.className = "try-neither"; tag.textContent = "\u2192 neither";
        name.appendChild(tag);
      }
      var barCell = document.createElement("td"), bar = document.createElement("div");
      barCell.className = "try-barcell";
      bar.className = "try-bar"; bar.style.width = (100 * p).toFixed(1) + "%";
      if (result.label !== null) barCell.appendChild(bar);
      var value = document.createElement("td"); value.className = "try-p";
      value.textContent = result.label === null ? "\u2013" : (100 * p).toFixed(1) + "%";
      tr.appendChild(name); tr.appendChild(barCell); tr.appendChild(value); body.appendChild(tr);
    });
    table.appendChild(body);
  }

  function showNotes(notes) {
    var list = $("notes");
    list.textContent = "";
    notes.forEach(function (n) { var li = document.createElement("li"); li.textContent = n; list.appendChild(li); });
  }

  /* Before the first answer: empty axes that say what will appear in them. */
  function drawEmpty() {
    var fe = model.frontend, seconds = model.clip.n_samples / fe.sample_rate;
    [["waveform", "your word's waveform will appear here"], ["spectrogram", "its log-mel spectrogram"],
     ["cam", "and where the model listened"]].forEach(function (item) {
      var p = prepareCanvas($(item[0])), ctx = p.ctx;
      ctx.fillStyle = "#f6f6f6"; ctx.fillRect(p.m.left, p.m.top, p.plotW, p.plotH);
      ctx.strokeStyle = "#bbb"; ctx.strokeRect(p.m.left, p.m.top, p.plotW, p.plotH);
      ctx.fillStyle = "#777"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(item[1], p.m.left + p.plotW / 2, p.m.top + p.plotH / 2);
      if (item[0] === "waveform") yLabel(p, "Amplitude"); else melAxis(p, fe);
      timeAxis(p, seconds);
    });
    var empty = {};
    model.labels.forEach(function (label) { empty[label] = 0; });
    showProbabilities({ probabilities: empty, label: null });
  }

  /* ---- one answer ---------------------------------------------------------------------------- */

  function answer(channels, rate, source, endedAt) {
    var started = performance.now();
    var result = E.analyse(model, channels, rate);
    var fe = model.frontend;
    var computeMs = performance.now() - started;
    var el = $("result");
    $("answer").textContent = result.word;
    $("confidence").textContent = (result.word === "neither" ? niceLabel(result.label) + ", " : "") +
      (100 * result.probabilities[result.label]).toFixed(1) + "% sure";
    $("cam-word").textContent = "\u201c" + niceLabel(result.label) + "\u201d";
    showProbabilities(result);
    showNotes(result.prepared.notes);
    drawWaveform(result.prepared.clip, fe.sample_rate);
    drawSpectrogram("spectrogram", result.mel, fe, null);
    drawSpectrogram("cam", result.mel, fe, { cam: result.cam });
    var drawnAt = performance.now();
    sequence += 1;
    last = { channels: channels, rate: rate, result: result, source: source };
    el.dataset.word = result.word;
    el.dataset.label = result.label;
    el.dataset.probabilities = JSON.stringify(result.probabilities);
    el.dataset.source = source;
    el.dataset.sequence = String(sequence);
    el.dataset.computeMs = computeMs.toFixed(1);
    if (endedAt !== undefined) el.dataset.latencyMs = (drawnAt - endedAt).toFixed(1);
    else delete el.dataset.latencyMs;
    var timing = endedAt !== undefined
      ? "answered " + Math.round(drawnAt - endedAt) + " ms after the voice stopped"
      : "computed and drawn in " + Math.round(drawnAt - started) + " ms";
    setStatus("Heard " + source + ": " + timing + ".");
    $("try-app").dataset.state = "answered";
  }

  /* ---- a WAV file ---------------------------------------------------------------------------- */

  function onFile(event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    event.target.value = "";  // choosing the same file again must answer again
    setStatus("Reading " + file.name + "\u2026");
    file.arrayBuffer().then(function (buffer) {
      var audio;
      try {
        audio = E.parseWav(buffer);
      } catch (err) {
        setStatus(file.name + ": " + err.message + ". Choose a WAV file (PCM or float).", true);
        return;
      }
      if (!audio.channels[0].length) { setStatus(file.name + " holds no samples.", true); return; }
      setPlayer(new Blob([buffer], { type: "audio/wav" }));
      answer(audio.channels, audio.rate, file.name);
    }).catch(function (err) { setStatus("Could not read " + file.name + ": " + err.message, true); });
  }

  var playerUrl = null;
  function setPlayer(blob) {
    var player = $("player");
    if (playerUrl) URL.revokeObjectURL(playerUrl);
    playerUrl = URL.createObjectURL(blob);
    player.src = playerUrl;
    player.hidden = false;
  }

  /* ---- the microphone ------------------------------------------------------------------------ */

  var take = null;

  function micError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Microphone permission was refused. Allow this page to use the microphone (the icon in the address bar), or choose a WAV file.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") return "No microphone was found. Plug one in, or choose a WAV file.";
    if (name === "NotReadableError") return "The microphone is in use by another program, or the system blocked it.";
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "This browser offers no microphone to this page (it needs https:// or http://localhost). Choose a WAV file instead.";
    }
    return "Could not start the microphone: " + (err && err.message ? err.message : String(err));
  }

  function startTake() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { setStatus(micError(null), true); return; }
    var button = $("record");
    button.disabled = true;
    navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } })
      .then(function (stream) {
        var Ctx = window.AudioContext || window.webkitAudioContext, ctx = new Ctx();
        take = { stream: stream, ctx: ctx, chunks: [], length: 0, rate: ctx.sampleRate, floor: null, speaking: false,
                 voiced: 0, quietSince: null, stopped: false };
        var source = ctx.createMediaStreamSource(stream);
        return audiovizTap(ctx, source, onChunk).then(function (node) {
          take.node = node;
          return ctx.resume();
        });
      })
      .then(function () {
        button.disabled = false;
        button.textContent = "Stop";
        button.setAttribute("aria-pressed", "true");
        $("try-app").dataset.state = "listening";
        setStatus("Listening\u2026 say a word (the take ends by itself when you stop speaking).");
      })
      .catch(function (err) {
        cleanUp();
        button.disabled = false;
        setStatus(micError(err), true);
      });
  }

  /* The level decides when the word has ended: the room's level is the quietest 50 ms seen so
     far; speech is anything 12 dB above it (and above -50 dBFS). */
  function onChunk(x) {
    if (!take || take.stopped) return;
    take.chunks.push(x); take.length += x.length;
    var sq = 0;
    for (var i = 0; i < x.length; i++) sq += x[i] * x[i];
    var rms = Math.sqrt(sq / x.length), db = 20 * Math.log10(rms + 1e-9);
    $("level").style.width = Math.max(0, Math.min(100, (db + 60) / 60 * 100)).toFixed(0) + "%";
    var now = take.length / take.rate;
    take.floor = take.floor === null ? db : Math.min(take.floor + 0.02, Math.max(db, take.floor - 3));
    var loud = db > Math.max(take.floor + 12, -50);
    if (loud) { take.voiced += x.length / take.rate; take.quietSince = null; if (take.voiced >= MIN_SPEECH_S) take.speaking = true; }
    else if (take.speaking && take.quietSince === null) take.quietSince = now;
    if (take.speaking && take.quietSince !== null && now - take.quietSince >= HANGOVER_S) stopTake("the word ended");
    else if (now >= MAX_S) stopTake("4 s passed");
  }

  function cleanUp() {
    if (!take) return;
    try { take.stream.getTracks().forEach(function (t) { t.stop(); }); } catch (e) { /* already stopped */ }
    try { take.ctx.close(); } catch (e) { /* already closed */ }
  }

  function stopTake(reason) {
    if (!take || take.stopped) return;
    take.stopped = true;
    var endedAt = performance.now();
    var t = take;
    cleanUp();
    take = null;
    var button = $("record");
    button.textContent = "Record";
    button.setAttribute("aria-pressed", "false");
    $("level").style.width = "0%";
    var samples = new Float32Array(t.length), at = 0;
    t.chunks.forEach(function (c) { samples.set(c, at); at += c.length; });
    if (!samples.length) { setStatus("The microphone gave no sound. Try again, or choose a WAV file.", true); return; }
    setPlayer(audiovizWavBlob(samples, t.rate));
    answer([samples], t.rate, "the microphone (" + reason + ")", reason === "the word ended" ? endedAt - HANGOVER_S * 1000 : endedAt);
  }

  function onRecord() {
    if (take) stopTake("you pressed Stop");
    else startTake();
  }

  /* ---- start --------------------------------------------------------------------------------- */

  function start() {
    try {
      model = E.loadModel(window.AUDIOVIZ_MODEL);
    } catch (err) {
      setStatus("The model is missing (model.js was not built with the site): " + err.message, true);
      $("try-app").dataset.state = "error";
      return;
    }
    // One answer on silence warms up the JavaScript compiler, so the first real answer is quick.
    // (at the usual microphone rates too, which also builds their resampling filters).
    [model.frontend.sample_rate, 48000, 44100].forEach(function (rate) {
      E.analyse(model, [new Float32Array(Math.round(1.2 * rate))], rate);
    });
    drawEmpty();
    $("record").addEventListener("click", onRecord);
    $("audio-file").addEventListener("change", onFile);
    $("record").disabled = false;
    $("audio-file").disabled = false;
    var words = model.words.map(function (w) { return "\u201c" + w + "\u201d"; }).join(", ");
    setStatus("Ready: press Record and say one of " + words + " (or anything else), or choose a WAV file.");
    $("model-info").textContent = "Model: " + model.labels.length + " classes (" + model.labels.join(", ") + "), " +
      model.blocks.length + " convolution blocks, " + model.frontend.n_mels + " mel bands at " +
      model.frontend.sample_rate + " Hz" + (model.raw.name ? "; " + model.raw.name : "") + ".";
    $("try-app").dataset.state = "ready";
  }

  window.audiovizTry = {
    last: function () { return last; },
    analyseSamples: function (samples, rate) { return E.analyse(model, [Float32Array.from(samples)], rate); },
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
