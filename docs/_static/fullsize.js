/* audioviz site: every tutorial figure opens at full size when tapped or clicked, so that a phone,
   which shrinks figures to the width of its screen, can still show every label legibly.
   Static-slider pictures are left alone: their source changes as the sliders move. */
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("img.sphx-glr-single-img, img.sphx-glr-multi-img").forEach((img) => {
    if (img.closest("a") || img.closest(".audioviz-static")) return;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "audioviz-fullsize";
    link.title = "Open this figure at full size";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  });
});
