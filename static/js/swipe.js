// Before/after comparison of two evidence images (includes/_images.html): the "before" image
// lies over the "after" one, clipped at a divide that the reader moves by dragging across
// the pictures or with the range input (arrow keys, Home/End), which holds the position.
// The images and their labels come from the page's json_script; no user text is parsed as HTML.
(function () {
  "use strict";

  const data = document.getElementById("swipe-images");
  const box = document.getElementById("swipe");
  if (!data || !box) return;
  const images = JSON.parse(data.textContent);
  const before = document.getElementById("swipe-before");
  const after = document.getElementById("swipe-after");
  const frame = document.getElementById("swipe-frame");
  const clip = document.getElementById("swipe-clip");
  const handle = document.getElementById("swipe-handle");
  const range = document.getElementById("swipe-position");
  const beforeImage = document.getElementById("swipe-before-image");
  const afterImage = document.getElementById("swipe-after-image");

  for (const select of [before, after]) {
    images.forEach(function (image, index) {
      const option = document.createElement("option");
      option.value = String(index);
      option.textContent = image.label;
      select.appendChild(option);
    });
  }
  // Images come oldest capture first: compare the first with the last.
  before.value = "0";
  after.value = String(images.length - 1);

  function show() {
    const one = images[+before.value];
    const two = images[+after.value];
    beforeImage.src = one.url;
    beforeImage.alt = "Before: " + one.label;
    afterImage.src = two.url;
    afterImage.alt = "After: " + two.label;
    // The frame takes the "after" image's shape; the "before" one is fitted into the same box.
    frame.style.aspectRatio = two.width + " / " + two.height;
  }

  function place(percent) {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    range.value = String(value);
    range.setAttribute("aria-valuetext", value + "% before, " + (100 - value) + "% after");
    clip.style.width = value + "%";
    handle.style.left = value + "%";
  }

  // The clipped image keeps the frame's full width, so the divide reveals it, never squeezes it.
  function fit() {
    frame.style.setProperty("--swipe-width", frame.clientWidth + "px");
  }

  function fromPointer(event) {
    const box = frame.getBoundingClientRect();
    place(((event.clientX - box.left) / box.width) * 100);
  }

  let dragging = false;
  frame.addEventListener("pointerdown", function (event) {
    dragging = true;
    frame.setPointerCapture(event.pointerId);
    fromPointer(event);
    event.preventDefault();
  });
  frame.addEventListener("pointermove", function (event) {
    if (dragging) fromPointer(event);
  });
  for (const name of ["pointerup", "pointercancel"]) {
    frame.addEventListener(name, function () {
      dragging = false;
    });
  }
  range.addEventListener("input", function () {
    place(+range.value);
  });
  before.addEventListener("change", show);
  after.addEventListener("change", show);
  new ResizeObserver(fit).observe(frame);

  show();
  place(+range.value);
  fit();
  box.hidden = false;
})();
