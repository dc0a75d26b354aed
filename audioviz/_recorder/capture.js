// audioviz microphone capture, shared by the recorder widget and the Try-it page: the tap that
// hands the microphone's samples to the page, and the WAV encoder of a take. A plain script (no
// import or export): audioviz.Recorder puts it before recorder.js in the widget's module, and the
// documentation's Try-it page loads it as a script before try.js.

// Connect `source` (a MediaStreamAudioSourceNode of `ctx`) to a tap that calls `onChunk` with
// every block of mono float32 samples: an AudioWorklet, or a ScriptProcessor where there is none.
// Resolves to the tap's node.
function audiovizTap(ctx, source, onChunk) {
  if (ctx.audioWorklet) {
    const code = "class AudiovizTap extends AudioWorkletProcessor {" +
      " process(inputs) { const x = inputs[0] && inputs[0][0]; if (x) this.port.postMessage(x.slice(0)); return true; } }" +
      " registerProcessor('audioviz-tap', AudiovizTap);";
    const url = URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
    const done = () => URL.revokeObjectURL(url);
    return ctx.audioWorklet.addModule(url).then(() => {
      done();
      const node = new AudioWorkletNode(ctx, "audioviz-tap");
      node.port.onmessage = (e) => onChunk(e.data);
      source.connect(node);
      return node;
    }, (err) => { done(); throw err; });
  }
  const node = ctx.createScriptProcessor(1024, 1, 1);
  node.onaudioprocess = (e) => onChunk(new Float32Array(e.inputBuffer.getChannelData(0)));
  source.connect(node);
  node.connect(ctx.destination);
  return Promise.resolve(node);
}

// A 16-bit mono WAV file of `samples` (floats, clipped to [-1, 1]) at `rate` Hz, as a Blob.
function audiovizWavBlob(samples, rate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2), v = new DataView(buffer);
  const str = (at, s) => { for (let i = 0; i < s.length; i++) v.setUint8(at + i, s.charCodeAt(i)); };
  str(0, "RIFF"); v.setUint32(4, 36 + samples.length * 2, true); str(8, "WAVE"); str(12, "fmt ");
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true); str(36, "data");
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + 2 * i, Math.max(-1, Math.min(1, samples[i])) * 32767, true);
  return new Blob([buffer], { type: "audio/wav" });
}
