/* Keeps a live assembly page fresh over a WebSocket (protocol: docs/live-protocol.md).
 * The server renders the page; this script only applies events to it. Without it, the page
 * works as is and a refresh shows the latest state. No third-party code, no inline script. */
(function () {
  "use strict";
  var root = document.getElementById("assembly-live");
  var configEl = document.getElementById("assembly-config");
  var stateEl = document.getElementById("assembly-state");
  if (!root || !configEl || !stateEl || !("WebSocket" in window)) return;

  var T = JSON.parse(document.getElementById("assembly-i18n").textContent);
  var cfg = configEl.dataset;
  var staffPanel = cfg.staffPanel === "1";
  var state = JSON.parse(stateEl.textContent);
  var seq = parseInt(root.dataset.seq, 10) || 0;
  var voted = {};
  (cfg.voted || "").split(" ").forEach(function (id) { if (id) voted[id] = true; });
  var supported = {};
  (cfg.supported || "").split(" ").forEach(function (id) { if (id) supported[id] = true; });
  var mine = {};  // one's own questions: no support button
  (cfg.mine || "").split(" ").forEach(function (id) { if (id) mine[id] = true; });
  var socket = null;
  var socketReady = false;  // the socket sent its snapshot (or resumed): it answers frames
  var retry = 0;
  var stopped = false;  // the assembly ended: nothing more to follow
  var connectionEl = document.getElementById("live-connection");
  var noJsNotice = document.getElementById("live-nojs");
  if (noJsNotice) noJsNotice.hidden = true;  // this script keeps the page fresh

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function csrfInput() {
    return el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: cfg.csrf || "" });
  }

  function isFinished() { return state.assembly.status === "finalizada"; }

  function setConnection(text, live) {
    if (!connectionEl) return;
    connectionEl.hidden = false;
    connectionEl.textContent = text;
    connectionEl.className = "live-connection " + (live ? "is-live" : "is-waiting");
  }

  function connectedLabel() {
    // "en vivo" only while the assembly is in progress, never before or after it.
    return state.assembly.status === "en_curso" ? T.live : T.connected;
  }

  function stop() {
    // A finished assembly: show its final state, no connection indicator, no reconnecting.
    stopped = true;
    if (connectionEl) { connectionEl.hidden = true; connectionEl.textContent = ""; }
    var following = document.getElementById("live-following");
    if (following) following.hidden = true;
    if (socket) socket.close(1000);
    var form = document.getElementById("question-form");
    if (form) form.remove();
    cfg.canUpvote = "";
    document.querySelectorAll("#live-polls .vote-form").forEach(function (f) { f.remove(); });
    var heading = document.getElementById("polls-title");
    if (heading && T.final_results) heading.textContent = T.final_results;
  }

  /* --- Rendering -------------------------------------------------------------------- */

  function renderStatus() {
    var badge = document.getElementById("live-status");
    badge.textContent = state.assembly.status_label;
    badge.className = "badge status-" + state.assembly.status;
  }

  function renderAgenda() {
    var current = null;
    document.querySelectorAll("#live-agenda li").forEach(function (li) {
      var isCurrent = String(state.current_item) === li.dataset.item;
      if (isCurrent) {
        li.setAttribute("aria-current", "step");
        li.className = "current";
        current = li.textContent;
      } else {
        li.removeAttribute("aria-current");
        li.className = "";
      }
    });
    var box = document.getElementById("live-current");
    box.textContent = "";
    if (current) {
      box.appendChild(document.createTextNode(T.now_label + ": "));
      box.appendChild(el("strong", { text: current }));
    }
  }

  function renderAnnouncements() {
    var list = document.getElementById("live-announcements");
    list.textContent = "";
    if (!state.announcements.length) {
      list.appendChild(el("li", { className: "meta empty", text: T.no_announcements }));
    }
    state.announcements.forEach(function (a) {
      list.appendChild(el("li", { "data-id": a.id, text: a.text }));
    });
  }

  function pollTable(poll) {
    var head = [el("th", { scope: "col", text: T.option })];
    if (poll.counts_online) head.push(el("th", { scope: "col", text: T.online }));
    if (poll.counts_room) head.push(el("th", { scope: "col", text: T.room }));
    head.push(el("th", { scope: "col", text: T.total }));
    var rows = poll.options.map(function (o) {
      var cells = [el("th", { scope: "row", text: o.label })];
      if (poll.counts_online) cells.push(el("td", { text: String(o.online) }));
      if (poll.counts_room) cells.push(el("td", { text: o.room === null ? "–" : String(o.room) }));
      cells.push(el("td", { text: String(o.total) }));
      return el("tr", { "data-option": o.id }, cells);
    });
    return el("table", {}, [el("thead", {}, [el("tr", {}, head)]), el("tbody", {}, rows)]);
  }

  function pollMeta(poll) {
    var text = poll.mode_label + " · " + (poll.status === "open" ? T.open : T.closed);
    var meta = el("p", { className: "meta", text: text });
    if (poll.results_published) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("strong", { text: T.results_published }));
    }
    return meta;
  }

  function staffButtonForm(name, value, label, extra) {
    var form = el("form", { method: "post", className: "inline-form" }, [csrfInput()]);
    Object.keys(extra).forEach(function (k) {
      form.appendChild(el("input", { type: "hidden", name: k, value: extra[k] }));
    });
    form.appendChild(el("button", { type: "submit", name: name, value: value, text: label }));
    return form;
  }

  function reopenForm(poll) {
    // Reopening a vote whose results are published withdraws them: the box must be ticked.
    var form = staffButtonForm("action", "poll_reopen", T.reopen, { poll: poll.id });
    form.className = "inline-form poll-reopen";
    form.lastChild.className = "button-secondary";
    if (poll.results_published) {
      var box = el("input", { type: "checkbox", name: "confirm", value: "1", required: "required" });
      form.insertBefore(el("label", {}, [box, document.createTextNode(" " + T.confirm_withdraw)]), form.lastChild);
    }
    return form;
  }

  function pollForm(poll) {
    if (staffPanel) {
      var controls = el("div", { className: "controls" });
      if (poll.status === "open") {
        controls.appendChild(staffButtonForm("action", "poll_close", T.close_vote, { poll: poll.id }));
      } else {
        if (!poll.results_published) {
          controls.appendChild(staffButtonForm("action", "publish", T.publish, { poll: poll.id }));
        }
        if (state.assembly.status === "en_curso") controls.appendChild(reopenForm(poll));
      }
      if (poll.counts_room && !poll.results_published) {
        controls.appendChild(el("p", { className: "meta", text: T.reload_for_counts }));
      }
      return controls;
    }
    if (poll.status !== "open" || !poll.counts_online) return null;
    if (voted[poll.id]) return el("p", { className: "notice", text: T.voted });
    if (cfg.canVote !== "1") return el("p", { className: "meta", text: T.login_to_vote });
    var items = poll.options.map(function (o) {
      var id = "poll" + poll.id + "-o" + o.id;
      return el("li", {}, [
        el("input", { type: "radio", name: "option", value: o.id, id: id, required: "" }),
        document.createTextNode(" "),
        el("label", { "for": id, text: o.label })
      ]);
    });
    return el("form", { method: "post", action: cfg.voteBase + poll.id + "/", className: "vote-form" }, [
      csrfInput(),
      el("fieldset", {}, [el("legend", { text: T.your_vote }), el("ul", { className: "radio-list" }, items)]),
      el("button", { type: "submit", text: T.vote })
    ]);
  }

  function renderPoll(poll) {
    var box = document.getElementById("live-polls");
    var existing = document.getElementById("poll-" + poll.id);
    var shape = poll.status + "/" + poll.results_published + "/" + poll.options.length;
    if (existing && existing.dataset.shape === shape) {
      // Same form: update the numbers only, so a half-made choice is not lost.
      var table = existing.querySelector("table");
      table.parentNode.replaceChild(pollTable(poll), table);
      return;
    }
    var article = el("article", {
      className: "poll poll-" + poll.status, id: "poll-" + poll.id, "data-poll": poll.id,
      "data-shape": shape
    }, [el("h3", { text: poll.question }), pollMeta(poll), pollTable(poll), pollForm(poll)]);
    if (existing) {
      existing.parentNode.replaceChild(article, existing);
    } else {
      var empty = box.querySelector(".empty");
      if (empty) empty.remove();
      box.insertBefore(article, box.firstChild);
    }
  }

  function markShapes() {
    state.polls.forEach(function (poll) {
      var node = document.getElementById("poll-" + poll.id);
      if (node) node.dataset.shape = poll.status + "/" + poll.results_published + "/" + poll.options.length;
    });
  }

  function questionItem(q) {
    var li = el("li", {
      id: "question-" + q.id, "data-question": q.id,
      className: "question question-" + q.status + (q.pinned ? " pinned" : "")
    });
    if (q.pinned) {
      li.appendChild(el("strong", { className: "badge", text: T.pinned }));
      li.appendChild(document.createTextNode(" "));
    }
    li.appendChild(el("span", { className: "question-text", text: q.text }));
    li.appendChild(el("span", { className: "meta", text: " " + q.status_label + " · " + (q.upvotes === 1 ? T.support_one : T.support_other).replace("%(count)s", q.upvotes) }));
    if (staffPanel) {
      var form = el("form", { method: "post", className: "inline-form question-controls" }, [
        csrfInput(), el("input", { type: "hidden", name: "question", value: q.id })
      ]);
      var actions = [];
      if (q.status !== "approved") actions.push(["approve", T.approve]);
      if (q.status === "approved" && !q.pinned) actions.push(["pin", T.pin]);
      if (q.pinned) actions.push(["unpin", T.unpin]);
      if (q.status !== "answered") actions.push(["answer", T.answer]);
      if (q.status !== "hidden") actions.push(["hide", T.hide]);
      actions.forEach(function (a) {
        form.appendChild(el("button", { type: "submit", name: "action", value: a[0], className: "button-small", text: a[1] }));
      });
      li.appendChild(form);
    } else if (mine[q.id]) {
      li.appendChild(el("span", { className: "meta own", text: T.own }));
    } else if (supported[q.id]) {
      li.appendChild(el("span", { className: "meta supported", text: T.supported }));
    } else if (cfg.canUpvote === "1" && q.status === "approved") {
      li.appendChild(el("form", { method: "post", action: cfg.questionBase + q.id + "/apoyar/", className: "inline-form upvote-form" }, [
        csrfInput(), el("button", { type: "submit", className: "button-small button-secondary", text: T.support })
      ]));
    }
    return li;
  }

  function renderQuestions() {
    var list = document.getElementById("live-questions");
    var questions = state.questions.slice().sort(function (a, b) {
      return (b.pinned - a.pinned) || (b.upvotes - a.upvotes) || (a.at < b.at ? -1 : 1);
    });
    list.textContent = "";
    if (!questions.length) list.appendChild(el("li", { className: "meta empty", text: T.no_questions }));
    questions.forEach(function (q) { list.appendChild(questionItem(q)); });
  }

  /* --- Applying events: every payload carries whole objects, applied as upserts --------- */

  function upsert(list, item) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].id === item.id) { list[i] = item; return; }
    }
    list.push(item);
  }

  function apply(payload) {
    if (payload.assembly) {
      state.assembly = payload.assembly;
      renderStatus();
      if (isFinished()) stop();
      else setConnection(connectedLabel(), true);
    }
    if ("current_item" in payload) { state.current_item = payload.current_item; renderAgenda(); }
    if (payload.announcement) {
      state.announcements = state.announcements.filter(function (a) { return a.id !== payload.announcement.id; });
      state.announcements.unshift(payload.announcement);
      state.announcements = state.announcements.slice(0, 20);
      renderAnnouncements();
    }
    if (payload.poll) { upsert(state.polls, payload.poll); renderPoll(payload.poll); }
    if (payload.questions) {
      payload.questions.forEach(function (q) {
        if (!q.text) {  // withheld: awaiting moderation or hidden
          state.questions = state.questions.filter(function (x) { return x.id !== q.id; });
        } else {
          upsert(state.questions, q);
        }
      });
      renderQuestions();
    }
  }

  function renderAll() {
    renderStatus();
    renderAgenda();
    renderAnnouncements();
    document.getElementById("live-polls").textContent = "";
    state.polls.slice().forEach(function (p) { renderPoll(p); });
    renderQuestions();
  }

  /* --- The socket --------------------------------------------------------------------- */

  function onMessage(message) {
    var frame;
    try { frame = JSON.parse(message.data); } catch (e) { return; }
    if (frame.type === "snapshot") {
      socketReady = true;
      state = frame.state;
      seq = frame.seq;
      renderAll();
      document.getElementById("live-followers").textContent = frame.followers;
    } else if (frame.type === "resumed") {
      socketReady = true;
      seq = frame.seq;
    } else if (frame.type === "event") {
      if (frame.seq <= seq) return;  // already applied
      seq = frame.seq;
      apply(frame.payload);
    } else if (frame.type === "presence") {
      document.getElementById("live-followers").textContent = frame.followers;
    } else if ((frame.type === "answer" || frame.type === "error") && frame.ref) {
      answered(frame);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath + "?since=" + seq);
    socket.onopen = function () { retry = 0; setConnection(connectedLabel(), true); };
    socket.onmessage = onMessage;
    socket.onclose = function (event) {
      socketReady = false;
      resendPending();
      if (stopped || event.code === 4404) return;  // finished, or gone: nothing to follow
      setConnection(T.reconnecting, false);
      var delay = Math.min(15000, 1000 * Math.pow(2, retry)) * (0.5 + Math.random() / 2);
      retry += 1;
      window.setTimeout(connect, delay);
    };
  }

  /* --- Taking part without reloading: the same forms, posted with fetch() ------------
   * The view answers JSON (assemblies/views.py) whose payload has the shape of an event's,
   * applied like one; the stream keeps playing. Without this script the forms post and
   * the page reloads. */

  function feedbackFor(form) {
    var id = form.classList.contains("question-form") || form.classList.contains("upvote-form")
      ? "questions-feedback" : "polls-feedback";
    return document.getElementById(id);
  }

  function showFeedback(box, message, isError, loginUrl) {
    if (!box) return;
    box.textContent = "";
    box.className = "live-feedback" + (isError ? " is-error" : "");
    box.appendChild(document.createTextNode(message));
    if (loginUrl) {
      box.appendChild(document.createTextNode(" "));
      box.appendChild(el("a", { href: loginUrl, text: T.log_in }));
    }
  }

  function afterAnswer(form, answer) {
    var payload = answer.payload || {};
    if (payload.voted) voted[payload.voted] = true;
    if (payload.supported) supported[payload.supported] = true;
    if (payload.poll) {
      // Our own vote: the form gives way to "you have voted" even if the socket is down.
      var existing = document.getElementById("poll-" + payload.poll.id);
      if (existing) existing.dataset.shape = "";
    }
    apply(payload);
    if (answer.ok && form.classList.contains("question-form")) form.reset();
    var field = form.querySelector("textarea");
    if (field) {
      if (answer.code === "invalid") field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    }
  }

  function begin(form, submitter) {
    var sending = {
      form: form,
      box: feedbackFor(form),
      button: submitter || form.querySelector("button[type=submit]"),
      hadFocus: document.activeElement
    };
    // Busy, not disabled: disabling the focused button would drop the focus to the page.
    form.dataset.busy = "1";
    if (sending.button) sending.button.setAttribute("aria-disabled", "true");
    if (sending.box) { sending.box.className = "live-feedback"; sending.box.textContent = T.sending; }
    return sending;
  }

  function finish(sending, answer) {  // answer: the server's JSON, or null if none came
    var form = sending.form, box = sending.box, hadFocus = sending.hadFocus;
    if (answer) {
      showFeedback(box, answer.message || "", !answer.ok, answer.login_url);
      afterAnswer(form, answer);
    } else {
      showFeedback(box, T.send_failed, true);
    }
    delete form.dataset.busy;
    if (sending.button) sending.button.removeAttribute("aria-disabled");
    // Focus stays where it was; if that element was replaced (the vote form, a support
    // button), it moves to the message that says what happened.
    if (!document.body.contains(hadFocus) || hadFocus === document.body || !hadFocus) {
      if (box) box.focus();
    } else if (box && box.classList.contains("is-error")) {
      var field = form.querySelector("textarea");
      if (field && document.body.contains(field)) field.focus();
    }
  }

  function submitWithFetch(form, submitter, sending) {
    sending = sending || begin(form, submitter);
    var body = new FormData(form);
    // A vote sent first over the socket is posted with the choice it was sent with.
    if (sending.option) body.set("option", sending.option);
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("not json");
      return response.json();
    }).then(function (answer) {
      finish(sending, answer);
    }, function () {
      finish(sending, null);
    });
  }

  /* A vote goes over the socket when it is open: the server answers it in the form's JSON
   * shape ({"type": "answer", "ref", "ok", "code", "message", "payload"}). Should the
   * socket close first, the form is posted instead (one vote per person all the same: a
   * vote that did arrive is answered "already voted"). */
  var pending = {};
  var refs = 0;
  var VOTE_TIMEOUT_MS = 10000;

  function voteOverSocket(form, submitter) {
    var match = /\/(\d+)\/$/.exec(form.getAttribute("action") || "");
    if (!match || !socketReady || !socket || socket.readyState !== 1) return false;
    var option = new FormData(form).get("option");
    var ref = "vote-" + (++refs);
    var sending = pending[ref] = begin(form, submitter);
    sending.option = option;
    // No answer within a while (a connection that died without closing, as when a phone
    // changes networks): close the socket; its close posts the vote by form instead.
    sending.timer = window.setTimeout(function () {
      if (pending[ref] && socket) socket.close();
    }, VOTE_TIMEOUT_MS);
    socket.send(JSON.stringify({
      type: "vote",
      ref: ref,
      poll: parseInt(match[1], 10),
      option: option && /^\d+$/.test(option) ? parseInt(option, 10) : null
    }));
    return true;
  }

  function answered(frame) {
    var sending = pending[frame.ref];
    if (!sending) return;
    delete pending[frame.ref];
    window.clearTimeout(sending.timer);
    if (frame.type === "answer") finish(sending, frame);
    else finish(sending, { ok: false, message: frame.message });
  }

  function resendPending() {
    Object.keys(pending).forEach(function (ref) {
      var sending = pending[ref];
      delete pending[ref];
      window.clearTimeout(sending.timer);
      submitWithFetch(sending.form, null, sending);
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (staffPanel || !window.fetch || !window.FormData) return;
    if (!form.matches(".vote-form, .question-form, .upvote-form")) return;
    event.preventDefault();
    if (form.dataset.busy) return;  // already on its way
    if (form.matches(".vote-form") && voteOverSocket(form, event.submitter)) return;
    submitWithFetch(form, event.submitter);
  });

  markShapes();
  if (isFinished()) {
    stop();
  } else {
    setConnection(T.connecting, false);
    connect();
  }
})();
