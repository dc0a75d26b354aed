// audioviz.Recorder: record / stop, a live level meter and a player of the take, in any
// Jupyter front end that runs anywidget (JupyterLab 4, Notebook 7, VS Code).
//
// The take goes to Python as one binary buffer of little-endian float32 samples (the `_audio`
// Bytes trait, sent as a widget buffer, not a JSON list) together with its sample rate: the
// rate of the browser's audio context, i.e. of the microphone as the browser delivers it. The tap
// and the WAV encoder are in capture.js, which the widget's module starts with.

function explain(err) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Microphone permission was refused. Allow this page to use the microphone (the icon in the address bar) and press Record again.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") return "No microphone was found. Plug one in and press Record again.";
  if (name === "NotReadableError") return "The microphone is in use by another program, or the system blocked it.";
  return "Could not start the microphone: " + (err && err.message ? err.message : String(err));
}

function render({ model, el }) {
  el.classList.add("audioviz-recorder");
  el.innerHTML = `
    <div class="avr-row">
      <button class="avr-record" type="button" aria-pressed="false">&#9679; Record</button>
      <div class="avr-meter" title="input level"><div class="avr-level"></div></div>
      <span class="avr-time">0.0 s</span>
    </div>
    <div class="avr-message" role="status" aria-live="polite"></div>
    <audio class="avr-player" controls hidden></audio>`;
  const button = el.querySelector(".avr-record");
  const level = el.querySelector(".avr-level");
  const time = el.querySelector(".avr-time");
  const message = el.querySelector(".avr-message");
  const player = el.querySelector(".avr-player");
  let take = null, playerUrl = null;

  const say = (text, isError) => {
    message.textContent = text;
    message.classList.toggle("avr-error", !!isError);
  };
  const sayTake = () => {
    const n = model.get("_audio").byteLength / 4, rate = model.get("sample_rate");
    if (n && rate) say(`Recorded ${(n / rate).toFixed(2)} s at ${rate} Hz: in Python it is recorder.waveform, shape (1, ${n}).`);
    else say(model.get("error") || "Press Record, speak, then press Stop.", !!model.get("error"));
  };
  sayTake();

  async function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      const text = "This notebook page offers no microphone (the browser allows it only over https:// or on localhost).";
      model.set("error", text); model.save_changes(); say(text, true);
      return;
    }
    button.disabled = true;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      take = { stream, ctx, chunks: [], length: 0, rate: ctx.sampleRate };
      const source = ctx.createMediaStreamSource(stream);
      const onChunk = (x) => {
        if (!take) return;
        take.chunks.push(x); take.length += x.length;
        let sq = 0;
        for (let i = 0; i < x.length; i++) sq += x[i] * x[i];
        const db = 20 * Math.log10(Math.sqrt(sq / x.length) + 1e-9);
        level.style.width = Math.max(0, Math.min(100, (db + 60) / 60 * 100)).toFixed(0) + "%";
        const seconds = take.length / take.rate;
        time.textContent = seconds.toFixed(1) + " s";
        if (seconds >= model.get("max_seconds")) stop();
      };
      await audiovizTap(ctx, source, onChunk);
      await ctx.resume();
      button.innerHTML = "&#9632; Stop";
      button.setAttribute("aria-pressed", "true");
      el.dataset.state = "recording";
      say("Recording\u2026 press Stop when you are done.");
      if (model.get("error")) { model.set("error", ""); model.save_changes(); }
    } catch (err) {
      finish();
      const text = explain(err);
      model.set("error", text); model.save_changes();
      say(text, true);
    } finally {
      button.disabled = false;
    }
  }

  function finish() {
    if (!take) return null;
    const t = take;
    take = null;
    try { t.stream.getTracks().forEach((track) => track.stop()); } catch (e) { /* already stopped */ }
    try { t.ctx.close(); } catch (e) { /* already closed */ }
    button.innerHTML = "&#9679; Record";
    button.setAttribute("aria-pressed", "false");
    level.style.width = "0%";
    el.dataset.state = "idle";
    return t;
  }

  function stop() {
    const t = finish();
    if (!t) return;
    const samples = new Float32Array(t.length);
    let at = 0;
    for (const c of t.chunks) { samples.set(c, at); at += c.length; }
    if (!samples.length) { say("The microphone gave no sound. Press Record to try again.", true); return; }
    model.set("sample_rate", t.rate);
    model.set("_audio", new DataView(samples.buffer));
    model.set("error", "");
    model.save_changes();
    if (playerUrl) URL.revokeObjectURL(playerUrl);
    playerUrl = URL.createObjectURL(audiovizWavBlob(samples, t.rate));
    player.src = playerUrl;
    player.hidden = false;
    sayTake();
  }

  button.addEventListener("click", () => (take ? stop() : start()));
  model.on("change:_audio", sayTake);
  return () => {
    finish();
    model.off("change:_audio", sayTake);
    if (playerUrl) URL.revokeObjectURL(playerUrl);
  };
}

export default { render };
