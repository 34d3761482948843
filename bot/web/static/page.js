// Starts the rasa-webchat widget (loaded before this file) in the page, connected to this server.
(function () {
  "use strict";

  // Japanese IME: the Enter that confirms a conversion must not send the half-typed message.
  // The widget sends on any keydown with keyCode 13 and never looks at event.isComposing, so
  // such keydowns are stopped here, in the capture phase on window, before they reach the
  // widget (React listens on document). The IME still gets the key: nothing is prevented.
  var composing = false;
  document.addEventListener("compositionstart", function () { composing = true; }, true);
  document.addEventListener("compositionend", function () { composing = false; }, true);
  window.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.classList || !target.classList.contains("rw-new-message")) return;
    var enter = event.key === "Enter" || event.keyCode === 13 || event.keyCode === 229;
    // 229: the key went to the IME (Chrome, Firefox; Safari even right after compositionend).
    if (enter && (event.isComposing || event.keyCode === 229 || composing)) {
      event.stopImmediatePropagation();
    }
  }, true);

  var root = document.getElementById("chat");
  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    document.getElementById("chat-error").hidden = false;
    return;
  }
  var socketPath = document.querySelector('meta[name="socketio-path"]').getAttribute("content");

  window.WebChat.default({
    socketUrl: window.location.origin,
    socketPath: socketPath.replace(/\/?$/, "/"),
    customData: { language: "ja" },
    initPayload: "/greet",
    title: "キャリアガイド",
    inputTextFieldHint: "質問を入力（例：経理って何？）",
    connectingText: "接続しています…",
    embedded: true,
    hideWhenNotConnected: false,
    withRules: false,
    // The conversation (and its session id) stays in localStorage: a reload continues it.
    params: { storage: "local" },
    // The default waits up to 3 s per message to imitate typing; answers come in 2 or 3 parts.
    customMessageDelay: function () { return 300; }
  }, root);
})();
