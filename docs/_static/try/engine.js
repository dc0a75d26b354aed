/* audioviz Try-it page: the classifier's forward pass in plain JavaScript.
 *
 * Every number comes from the exported model (window.AUDIOVIZ_MODEL, written by
 * audioviz.model.export_for_browser): the STFT window, the mel filterbank matrix, the
 * normalisation constants and the weights (batch norm folded into each convolution). The steps
 * mirror audioviz.model.prepare_clip (audioviz/data/_dataset.py) and KeywordCNN (audioviz/model/_network.py):
 *
 *   any recording -> mono -> resampled (torchaudio's windowed sinc) -> one second
 *   (padded centred, or cut to the loudest window) -> centred reflect-padded power STFT
 *   -> mel -> log(mel + 1e-6) -> per-band mean removed, divided by the clip's std
 *   -> [conv 3x3 + bias -> ReLU -> 2x2 max pool] x blocks -> global average -> linear -> softmax.
 *
 * The class activation map of class c is sum_k w[c, k] * A_k / (H * W), clipped at 0, where A is
 * the last block's output and w the linear layer: exactly what Grad-CAM on the last block gives
 * for this network, because the gradient of a global-average-pooled linear output with respect
 * to A_k is the constant w[c, k] / (H * W).
 */
(function (global) {
  "use strict";

  function decodeFloats(entry) {
    var bytes = atob(entry.data);
    var buffer = new ArrayBuffer(bytes.length);
    var view = new Uint8Array(buffer);
    for (var i = 0; i < bytes.length; i++) view[i] = bytes.charCodeAt(i);
    return { shape: entry.shape, data: new Float32Array(buffer) };
  }

  function loadModel(raw) {
    if (!raw || raw.format !== "audioviz.browser-model" || raw.format_version !== 1) {
      throw new Error("model.js is not an audioviz browser model of format version 1");
    }
    var fe = raw.frontend;
    var window_ = decodeFloats(fe.window).data;
    var padded = new Float64Array(fe.n_fft);
    var left = Math.floor((fe.n_fft - fe.win_length) / 2);  // torch.stft centres a short window
    for (var i = 0; i < window_.length; i++) padded[left + i] = window_[i];
    return {
      raw: raw,
      labels: raw.labels,
      words: raw.words,
      frontend: fe,
      window: padded,
      melFb: decodeFloats(fe.mel_fb),
      clip: raw.clip,
      blocks: raw.blocks.map(function (b) {
        return { weight: decodeFloats(b.weight), bias: decodeFloats(b.bias).data, relu: b.relu, pool: b.pool };
      }),
      head: { weight: decodeFloats(raw.head.weight), bias: decodeFloats(raw.head.bias).data },
    };
  }

  /* ---- clip preparation: audioviz.model.prepare_clip ---------------------------------------- */

  function gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a; }

  /* torchaudio.functional.resample (sinc_interp_hann): the same kernel, padding and length. */
  var kernels = {};

  function resampleKernel(orig, nw, lowpass, rolloff) {
    var key = [orig, nw, lowpass, rolloff].join(",");
    if (kernels[key]) return kernels[key];
    var base = Math.min(orig, nw) * rolloff;
    var width = Math.ceil(lowpass * orig / base);
    var taps = 2 * width + orig;
    var kernel = new Float64Array(nw * taps);
    for (var j = 0; j < nw; j++) {
      for (var k = 0; k < taps; k++) {
        var t = (-j / nw + (k - width) / orig) * base;
        t = Math.max(-lowpass, Math.min(lowpass, t));
        var w = Math.cos(t * Math.PI / lowpass / 2);
        w *= w;
        var tp = t * Math.PI;
        var s = tp === 0 ? 1 : Math.sin(tp) / tp;
        kernel[j * taps + k] = Math.fround(s * w * base / orig);
      }
    }
    kernels[key] = { kernel: kernel, width: width, taps: taps };
    return kernels[key];
  }

  function resample(x, origRate, newRate, options) {
    if (origRate === newRate) return Float32Array.from(x);
    var lowpass = (options && options.lowpass_filter_width) || 6;
    var rolloff = (options && options.rolloff) || 0.99;
    var g = gcd(origRate, newRate);
    var orig = origRate / g, nw = newRate / g;
    var k = resampleKernel(orig, nw, lowpass, rolloff), kernel = k.kernel, width = k.width, taps = k.taps;
    var n = x.length;
    var outLength = Math.ceil(nw * n / orig);
    var out = new Float32Array(outLength);
    for (var o = 0; o < outLength; o++) {
      var phase = o % nw, block = (o - phase) / nw;
      var start = block * orig - width;  // index in x of kernel tap 0
      var acc = 0, row = phase * taps;
      var k0 = Math.max(0, -start), k1 = Math.min(taps, n - start);
      for (var kk = k0; kk < k1; kk++) acc += x[start + kk] * kernel[row + kk];
      out[o] = acc;
    }
    return out;
  }

  function loudestWindow(signal, width, step) {
    var n = signal.length;
    var energy = new Float64Array(n + 1);
    for (var i = 0; i < n; i++) energy[i + 1] = energy[i] + signal[i] * signal[i];
    var best = 0, bestSum = -1;
    for (var s = 0; s + width <= n; s += step) {
      var sum = energy[s + width] - energy[s];
      if (sum > bestSum) { bestSum = sum; best = s; }
    }
    return best;
  }

  /* channels: array of Float32Array (one per channel) at `rate` Hz. Returns the model's clip,
     the notes prepare_clip would write, and where the clip sits in the (resampled) recording. */
  function prepareClip(model, channels, rate) {
    var target = model.frontend.sample_rate, nSamples = model.clip.n_samples;
    var notes = [];
    var mono = channels[0];
    if (channels.length > 1) {
      notes.push("averaged " + channels.length + " channels to mono");
      mono = new Float32Array(channels[0].length);
      for (var i = 0; i < mono.length; i++) {
        var s = 0;
        for (var c = 0; c < channels.length; c++) s += channels[c][i];
        mono[i] = s / channels.length;
      }
    }
    if (rate !== target) {
      notes.push("resampled from " + rate + " Hz to " + target + " Hz");
      mono = resample(mono, rate, target, model.clip.resample);
    }
    var length = mono.length, seconds = length / target, want = nSamples / target;
    var clip = new Float32Array(nSamples), offset = 0;
    if (length < nSamples) {
      var left = Math.floor((nSamples - length) / 2);
      clip.set(mono, left);
      offset = -left;
      notes.push("padded " + seconds.toFixed(3) + " s with silence to " + want + " s (clip centred)");
    } else if (length > nSamples) {
      var start = loudestWindow(mono, nSamples, model.clip.search_step);
      clip.set(mono.subarray(start, start + nSamples));
      offset = start;
      notes.push("cut " + seconds.toFixed(3) + " s to the loudest " + want + " s (" + (start / target).toFixed(2) +
                 "-" + ((start + nSamples) / target).toFixed(2) + " s)");
    } else {
      clip.set(mono);
    }
    return { clip: clip, notes: notes, offset: offset, recording: mono, rate: target };
  }

  /* ---- front end: LogMelFrontend ------------------------------------------------------------ */

  function fftInPlace(re, im) {
    var n = re.length;
    for (var i = 1, j = 0; i < n; i++) {
      var bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      if (i < j) { var t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; }
    }
    for (var len = 2; len <= n; len <<= 1) {
      var ang = -2 * Math.PI / len, wr = Math.cos(ang), wi = Math.sin(ang);
      for (var s = 0; s < n; s += len) {
        var cr = 1, ci = 0;
        for (var k = 0; k < len / 2; k++) {
          var a = s + k, b = a + len / 2;
          var xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
          re[b] = re[a] - xr; im[b] = im[a] - xi; re[a] += xr; im[a] += xi;
          var nr = cr * wr - ci * wi; ci = cr * wi + ci * wr; cr = nr;
        }
      }
    }
  }

  function powerSpectrum(frame, nFft) {
    var nFreq = nFft / 2 + 1 | 0, out = new Float64Array(nFreq);
    if ((nFft & (nFft - 1)) === 0) {
      var re = Float64Array.from(frame), im = new Float64Array(nFft);
      fftInPlace(re, im);
      for (var f = 0; f < nFreq; f++) out[f] = re[f] * re[f] + im[f] * im[f];
    } else {
      nFreq = Math.floor(nFft / 2) + 1;
      out = new Float64Array(nFreq);
      for (var q = 0; q < nFreq; q++) {
        var sr = 0, si = 0;
        for (var n = 0; n < nFft; n++) { var a = -2 * Math.PI * q * n / nFft; sr += frame[n] * Math.cos(a); si += frame[n] * Math.sin(a); }
        out[q] = sr * sr + si * si;
      }
    }
    return out;
  }

  /* The FFT bins where each mel filter is not zero (the rest add nothing). */
  function melSpans(model) {
    if (model.melSpans) return model.melSpans;
    var fb = model.melFb.data, nFreq = model.melFb.shape[0], nMels = model.melFb.shape[1], spans = [];
    for (var m = 0; m < nMels; m++) {
      var lo = nFreq, hi = 0;
      for (var f = 0; f < nFreq; f++) if (fb[f * nMels + m] !== 0) { lo = Math.min(lo, f); hi = f + 1; }
      spans.push([lo, Math.max(lo, hi)]);
    }
    model.melSpans = spans;
    return spans;
  }

  /* Mel power (n_mels x frames, row-major) of a clip: torchaudio's MelSpectrogram. */
  function melPower(model, clip) {
    var fe = model.frontend, nFft = fe.n_fft, hop = fe.hop_length, half = Math.floor(nFft / 2);
    var n = clip.length, frames = 1 + Math.floor(n / hop), nMels = fe.n_mels;
    var fb = model.melFb.data, nFreq = model.melFb.shape[0], span = melSpans(model);
    var mel = new Float64Array(nMels * frames), frame = new Float64Array(nFft);
    for (var t = 0; t < frames; t++) {
      for (var k = 0; k < nFft; k++) {
        var idx = t * hop + k - half;  // reflect padding, as torch.stft(center=True)
        if (idx < 0) idx = -idx;
        if (idx >= n) idx = 2 * (n - 1) - idx;
        frame[k] = clip[idx] * model.window[k];
      }
      var power = powerSpectrum(frame, nFft);
      for (var m = 0; m < nMels; m++) {
        var acc = 0;
        for (var f = span[m][0]; f < span[m][1]; f++) acc += fb[f * nMels + m] * power[f];
        mel[m * frames + t] = acc;
      }
    }
    return { data: mel, nMels: nMels, frames: frames };
  }

  function normalisedLogMel(model, mel) {
    var fe = model.frontend, nMels = mel.nMels, frames = mel.frames;
    var x = new Float32Array(nMels * frames);
    var logmel = new Float64Array(nMels * frames);
    for (var i = 0; i < logmel.length; i++) logmel[i] = Math.log(Math.fround(mel.data[i]) + fe.log_floor);
    if (fe.normalize === "none") { x.set(logmel); return x; }
    var means = new Float64Array(nMels), total = 0;
    for (var m = 0; m < nMels; m++) {
      var s = 0;
      for (var t = 0; t < frames; t++) s += logmel[m * frames + t];
      means[m] = s / frames; total += s;
    }
    if (fe.normalize === "clip") { var all = total / (nMels * frames); for (m = 0; m < nMels; m++) means[m] = all; }
    var sq = 0;
    for (m = 0; m < nMels; m++) for (t = 0; t < frames; t++) { var c = logmel[m * frames + t] - means[m]; sq += c * c; }
    var std = Math.sqrt(sq / (nMels * frames)) + fe.norm_eps;
    for (m = 0; m < nMels; m++) for (t = 0; t < frames; t++) x[m * frames + t] = (logmel[m * frames + t] - means[m]) / std;
    return x;
  }

  /* ---- the network -------------------------------------------------------------------------- */

  function conv2d(input, C, H, W, weight, bias, relu) {
    var O = weight.shape[0], kh = weight.shape[2], kw = weight.shape[3], w = weight.data;
    var ph = kh >> 1, pw = kw >> 1, out = new Float32Array(O * H * W), plane = new Float64Array(H * W);
    for (var o = 0; o < O; o++) {
      plane.fill(bias[o]);
      for (var c = 0; c < C; c++) {
        var inBase = c * H * W;
        for (var dy = 0; dy < kh; dy++) {
          var oy = dy - ph, y0 = Math.max(0, -oy), y1 = Math.min(H, H - oy), wRow = ((o * C + c) * kh + dy) * kw;
          if (kw === 3 && W > 1) {
            // The common 3x3 case: the three taps of a kernel row in one pass over the image row.
            var a = w[wRow], b = w[wRow + 1], d = w[wRow + 2];
            for (var y = y0; y < y1; y++) {
              var row = y * W, src = inBase + (y + oy) * W;
              plane[row] += b * input[src] + d * input[src + 1];
              for (var x = 1; x < W - 1; x++) {
                plane[row + x] += a * input[src + x - 1] + b * input[src + x] + d * input[src + x + 1];
              }
              plane[row + W - 1] += a * input[src + W - 2] + b * input[src + W - 1];
            }
            continue;
          }
          for (var dx = 0; dx < kw; dx++) {
            var wt = w[wRow + dx], ox = dx - pw;
            var x0 = Math.max(0, -ox), x1 = Math.min(W, W - ox);
            for (var yy = y0; yy < y1; yy++) {
              var r = yy * W, s0 = inBase + (yy + oy) * W + ox;
              for (var xx = x0; xx < x1; xx++) plane[r + xx] += wt * input[s0 + xx];
            }
          }
        }
      }
      var base = o * H * W;
      for (var i = 0; i < H * W; i++) out[base + i] = relu && plane[i] < 0 ? 0 : plane[i];
    }
    return out;
  }

  function maxPool2(input, C, H, W) {
    var h = H >> 1, w = W >> 1, out = new Float32Array(C * h * w);
    for (var c = 0; c < C; c++) for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
      var b = c * H * W + 2 * y * W + 2 * x;
      out[(c * h + y) * w + x] = Math.max(input[b], input[b + 1], input[b + W], input[b + W + 1]);
    }
    return { data: out, H: h, W: w };
  }

  function softmax(logits) {
    var max = -Infinity, i;
    for (i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
    var exps = logits.map(function (v) { return Math.exp(v - max); });
    var sum = exps.reduce(function (a, b) { return a + b; }, 0);
    return exps.map(function (v) { return v / sum; });
  }

  function forward(model, logmel, nMels, frames) {
    var x = logmel, C = 1, H = nMels, W = frames, scale = 1;
    for (var b = 0; b < model.blocks.length; b++) {
      var block = model.blocks[b];
      x = conv2d(x, C, H, W, block.weight, block.bias, block.relu);
      C = block.weight.shape[0];
      if (block.pool) { var p = maxPool2(x, C, H, W); x = p.data; H = p.H; W = p.W; scale *= 2; }
    }
    var pooled = new Float64Array(C);
    for (var c = 0; c < C; c++) { var s = 0; for (var i = 0; i < H * W; i++) s += x[c * H * W + i]; pooled[c] = s / (H * W); }
    var hw = model.head.weight, L = hw.shape[0], logits = [];
    for (var l = 0; l < L; l++) {
      var acc = model.head.bias[l];
      for (c = 0; c < C; c++) acc += hw.data[l * C + c] * pooled[c];
      logits.push(acc);
    }
    return { logits: logits, probabilities: softmax(logits), last: x, C: C, H: H, W: W, scale: scale };
  }

  function classActivationMap(model, out, index) {
    var C = out.C, HW = out.H * out.W, cam = new Float32Array(HW), w = model.head.weight.data;
    for (var i = 0; i < HW; i++) {
      var s = 0;
      for (var c = 0; c < C; c++) s += w[index * C + c] * out.last[c * HW + i];
      cam[i] = Math.max(0, s / HW);
    }
    return { data: cam, H: out.H, W: out.W, scale: out.scale };
  }

  /* The whole answer for one recording. */
  function analyse(model, channels, rate) {
    var prepared = prepareClip(model, channels, rate);
    var mel = melPower(model, prepared.clip);
    var logmel = normalisedLogMel(model, mel);
    var out = forward(model, logmel, mel.nMels, mel.frames);
    var index = 0;
    for (var i = 1; i < out.probabilities.length; i++) if (out.probabilities[i] > out.probabilities[index]) index = i;
    var label = model.labels[index];
    var probabilities = {};
    model.labels.forEach(function (name, j) { probabilities[name] = out.probabilities[j]; });
    return {
      label: label, index: index, word: model.words.indexOf(label) >= 0 ? label : "neither",
      probabilities: probabilities, logits: out.logits, prepared: prepared, mel: mel,
      cam: classActivationMap(model, out, index),
    };
  }

  /* ---- WAV files: the samples themselves, as soundfile reads them (no resampling) ----------- */

  function parseWav(buffer) {
    var view = new DataView(buffer);
    function tag(at) { return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3)); }
    if (buffer.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a WAV file (no RIFF/WAVE header)");
    var pos = 12, fmt = null, data = null;
    while (pos + 8 <= buffer.byteLength) {
      var id = tag(pos), size = view.getUint32(pos + 4, true), body = pos + 8;
      if (id === "fmt ") {
        var format = view.getUint16(body, true);
        fmt = { format: format, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true),
                bits: view.getUint16(body + 14, true) };
        if (format === 0xfffe && size >= 26) fmt.format = view.getUint16(body + 24, true);
      } else if (id === "data") {
        data = { offset: body, size: Math.min(size, buffer.byteLength - body) };
      }
      pos = body + size + (size & 1);
    }
    if (!fmt || !data) throw new Error("WAV file without fmt or data chunk");
    var bytes = fmt.bits / 8, nCh = fmt.channels, frames = Math.floor(data.size / (bytes * nCh));
    var channels = [];
    for (var c = 0; c < nCh; c++) channels.push(new Float32Array(frames));
    for (var i = 0; i < frames; i++) {
      for (c = 0; c < nCh; c++) {
        var at = data.offset + (i * nCh + c) * bytes, v;
        if (fmt.format === 3 && bytes === 4) v = view.getFloat32(at, true);
        else if (fmt.format === 3 && bytes === 8) v = view.getFloat64(at, true);
        else if (fmt.format === 1 && bytes === 2) v = view.getInt16(at, true) / 32768;
        else if (fmt.format === 1 && bytes === 1) v = (view.getUint8(at) - 128) / 128;
        else if (fmt.format === 1 && bytes === 3) {
          var u = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16);
          v = u / 8388608;
        } else if (fmt.format === 1 && bytes === 4) v = view.getInt32(at, true) / 2147483648;
        else throw new Error("unsupported WAV encoding (format " + fmt.format + ", " + fmt.bits + " bits)");
        channels[c][i] = v;
      }
    }
    return { channels: channels, rate: fmt.rate };
  }

  global.AudiovizEngine = {
    loadModel: loadModel, resample: resample, prepareClip: prepareClip, melPower: melPower,
    normalisedLogMel: normalisedLogMel, forward: forward, classActivationMap: classActivationMap,
    analyse: analyse, parseWav: parseWav,
  };
})(window);
