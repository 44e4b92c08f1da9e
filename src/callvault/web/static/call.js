// The call page: the transcript follows the redacted audio; clicks seek; clips play one event.
(function () {
  "use strict";
  var player = document.getElementById("player");
  var turns = Array.prototype.slice.call(document.querySelectorAll("#turns .turn"));
  var clipEnd = null;
  var current = null;

  function highlight(time) {
    var found = null;
    for (var i = 0; i < turns.length; i++) {
      var start = parseFloat(turns[i].dataset.start), end = parseFloat(turns[i].dataset.end);
      if (time + 0.05 >= start && time < end) { found = turns[i]; break; }
      if (start > time) { break; }
    }
    if (found === current) { return; }
    if (current) { current.classList.remove("playing"); }
    current = found;
    if (found) {
      found.classList.add("playing");
      found.scrollIntoView({ block: "nearest" });
    }
  }

  function seek(time, end) {
    clipEnd = end === undefined ? null : end;
    highlight(time);
    if (!player) { return; }
    player.currentTime = time;
    var playing = player.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-seek], .clip, .turn");
    if (!target) { return; }
    if (target.classList.contains("clip")) {
      seek(parseFloat(target.dataset.start), parseFloat(target.dataset.end));
    } else if (target.dataset.seek !== undefined) {
      seek(parseFloat(target.dataset.seek));
    } else {
      seek(parseFloat(target.dataset.start));
    }
  });

  if (player) {
    player.addEventListener("timeupdate", function () {
      highlight(player.currentTime);
      if (clipEnd !== null && player.currentTime >= clipEnd) { player.pause(); clipEnd = null; }
    });
  }

  // Opened from a search hit: start at that moment.
  var startAt = parseFloat(document.getElementById("call").dataset.startAt);
  if (!isNaN(startAt)) {
    highlight(startAt);
    if (player) {
      var place = function () { player.currentTime = startAt; };
      if (player.readyState >= 1) { place(); } else { player.addEventListener("loadedmetadata", place, { once: true }); }
    }
  }
})();
