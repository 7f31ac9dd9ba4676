// The 3D part viewer: loads the server's GLB preview of an uploaded part, frames it with orbit controls (mouse
// and touch), a grid with its scale, and draws the analysis' findings as highlighted spheres with numbered labels.
// A link or button with `data-focus-marker="<id>"` (the findings list) turns the view to that marker; on a DXF
// drawing (an <svg> overlay of markers, no WebGL) the same links highlight the marker there.
//
// Loaded as an ES module from our own static files ("three" comes through the page's import map): the site's
// Content-Security-Policy allows no inline script, so the markers arrive as JSON in a <script type="application/json">
// (Django's json_script) named by the viewer's `data-markers` attribute. htmx swaps in new viewers without running
// scripts, so viewers are started here on `htmx:load` and their GPU resources freed when htmx removes them.
//
// <figure class="part-viewer" data-part-viewer data-model-url="…/preview.glb" data-markers="markers-json-id">
//   <div class="part-viewer-stage"></div> <p class="part-viewer-status" role="status"></p> <p data-grid-scale></p>
// </figure>
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";

const SEVERITY_COLOURS = { error: 0xd92d20, warning: 0xe09b00, info: 0x2458d3 };
const PART_COLOUR = 0x9fb0c4;
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)");
const viewers = new WeakMap();

function readJson(id) {
  const element = id && document.getElementById(id);
  if (!element) return [];
  try {
    return JSON.parse(element.textContent);
  } catch {
    return [];
  }
}

// 1, 2 or 5 × 10^n: grid squares people can count in.
function niceStep(span) {
  const rough = span / 10;
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}

function formatMm(value) {
  return value >= 10 ? `${Math.round(value)}` : `${Number(value.toPrecision(2))}`;
}

class PartViewer {
  constructor(root) {
    this.root = root;
    this.stage = root.querySelector(".part-viewer-stage");
    this.status = root.querySelector(".part-viewer-status");
    this.markers = readJson(root.dataset.markers);
    this.markerObjects = new Map();
    this.labels = new Map();
    this.frame = null;
    this.renderQueued = false;
    this.animation = null;
  }

  say(text) {
    if (this.status) this.status.textContent = text;
  }

  start() {
    try {
      this.renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true });
    } catch {
      this.root.classList.add("is-failed");
      this.say("This browser cannot show the 3D view (WebGL is off). The size and findings are listed below.");
      return;
    }
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.domElement.setAttribute("aria-hidden", "true");
    this.stage.append(this.renderer.domElement);

    this.scene = new THREE.Scene();
    this.camera = new THREE.PerspectiveCamera(40, 1, 0.1, 1000);
    this.camera.up.set(0, 0, 1); // CAD parts stand on the XY plane, Z up (a printer's build plate)
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8a94a3, 1.6));
    const headlight = new THREE.DirectionalLight(0xffffff, 1.8);
    headlight.position.set(0.3, 0.4, 1);
    this.camera.add(headlight); // lit from the viewer's side whichever way the part is turned
    this.scene.add(this.camera);

    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.requestRender());
    this.controls.addEventListener("start", () => this.stopAnimation());

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.stage);
    this.resize();

    this.say("Loading the 3D view…");
    new GLTFLoader().load(
      this.root.dataset.modelUrl,
      (gltf) => this.show(gltf.scene),
      undefined,
      () => {
        this.root.classList.add("is-failed");
        this.say("The 3D view could not be loaded. The size and findings are listed below.");
      },
    );
  }

  show(model) {
    const material = new THREE.MeshStandardMaterial({
      color: PART_COLOUR,
      metalness: 0.05,
      roughness: 0.55,
      side: THREE.DoubleSide, // an open (not watertight) mesh shows its inside instead of holes
    });
    model.traverse((node) => {
      if (node.isMesh) node.material = material;
    });
    this.model = model;
    this.scene.add(model);

    const box = new THREE.Box3().setFromObject(model);
    if (box.isEmpty()) {
      this.say("The file holds no surfaces to show.");
      return;
    }
    const size = box.getSize(new THREE.Vector3());
    const centre = box.getCenter(new THREE.Vector3());
    const span = Math.max(size.x, size.y, size.z) || 1;
    this.box = box;
    this.span = span;
    this.addGrid(box, span);
    this.addMarkers(model, span);

    this.camera.near = span / 1000;
    this.camera.far = span * 100;
    this.camera.updateProjectionMatrix();
    this.controls.minDistance = span / 50;
    this.controls.maxDistance = span * 20;
    this.home = {
      target: centre.clone(),
      position: centre.clone().add(new THREE.Vector3(1.1, -1.5, 0.95).multiplyScalar(span * 1.25)),
    };
    this.resetView(false);
    this.root.classList.add("is-ready");
    this.say("");
  }

  addGrid(box, span) {
    const step = niceStep(span * 1.6);
    const cells = Math.max(2, Math.ceil((span * 1.6) / step / 2) * 2);
    const grid = new THREE.GridHelper(cells * step, cells, 0x8a94a3, 0xd9dee5);
    grid.rotation.x = Math.PI / 2; // GridHelper lies in XZ; the part's floor is XY
    const centre = box.getCenter(new THREE.Vector3());
    grid.position.set(centre.x, centre.y, box.min.z);
    grid.material.transparent = true;
    grid.material.opacity = 0.8;
    this.scene.add(grid);
    const scale = this.root.querySelector("[data-grid-scale]");
    if (scale) scale.textContent = `Grid squares: ${formatMm(step)} mm.`;
  }

  addMarkers(model, span) {
    // Findings are placed in the part's own coordinates, i.e. those of the glTF scene (the preview is not moved).
    const minimum = span * 0.025;
    for (const marker of this.markers) {
      const radius = Math.max(Number(marker.radius) || 0, minimum);
      const sphere = new THREE.Mesh(
        new THREE.SphereGeometry(radius, 24, 16),
        new THREE.MeshBasicMaterial({
          color: SEVERITY_COLOURS[marker.severity] ?? SEVERITY_COLOURS.info,
          transparent: true,
          opacity: 0.45,
          depthTest: false, // a finding inside or behind the part stays visible
        }),
      );
      sphere.renderOrder = 10;
      sphere.position.set(Number(marker.x) || 0, Number(marker.y) || 0, Number(marker.z) || 0);
      model.add(sphere);
      this.markerObjects.set(marker.id, sphere);

      const label = document.createElement("button");
      label.type = "button";
      label.className = `part-marker-label severity-${marker.severity || "info"}`;
      label.textContent = marker.label;
      label.title = marker.title || "";
      label.setAttribute("aria-label", `Finding ${marker.label}: ${marker.title || ""}`.trim());
      label.addEventListener("click", () => this.focus(marker.id));
      this.stage.append(label);
      this.labels.set(marker.id, label);
    }
  }

  resetView(animate = true) {
    if (!this.home) return;
    this.highlight(null);
    this.moveTo(this.home.target, this.home.position, animate);
  }

  focus(markerId) {
    const sphere = this.markerObjects.get(markerId);
    if (!sphere || !this.home) return false;
    const target = sphere.getWorldPosition(new THREE.Vector3());
    const radius = sphere.geometry.parameters.radius;
    const distance = Math.max(radius * 10, this.span * 0.6);
    const direction = this.camera.position.clone().sub(this.controls.target).normalize();
    this.moveTo(target, target.clone().add(direction.multiplyScalar(distance)), true);
    this.highlight(markerId);
    const marker = this.markers.find((m) => m.id === markerId);
    this.say(marker ? `Showing finding ${marker.label}: ${marker.title}` : "");
    return true;
  }

  highlight(markerId) {
    for (const [id, sphere] of this.markerObjects) {
      const on = id === markerId;
      sphere.material.opacity = on ? 0.85 : 0.45;
      sphere.scale.setScalar(on ? 1.4 : 1);
      this.labels.get(id)?.classList.toggle("is-focused", on);
    }
    this.requestRender();
  }

  moveTo(target, position, animate) {
    this.stopAnimation();
    if (!animate || REDUCED_MOTION.matches) {
      this.controls.target.copy(target);
      this.camera.position.copy(position);
      this.controls.update();
      this.requestRender();
      return;
    }
    const fromTarget = this.controls.target.clone();
    const fromPosition = this.camera.position.clone();
    const started = performance.now();
    const step = (now) => {
      const t = Math.min(1, (now - started) / 450);
      const eased = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      this.controls.target.lerpVectors(fromTarget, target, eased);
      this.camera.position.lerpVectors(fromPosition, position, eased);
      this.controls.update();
      this.requestRender();
      this.animation = t < 1 ? requestAnimationFrame(step) : null;
    };
    this.animation = requestAnimationFrame(step);
  }

  stopAnimation() {
    if (this.animation) cancelAnimationFrame(this.animation);
    this.animation = null;
  }

  resize() {
    const width = this.stage.clientWidth;
    const height = this.stage.clientHeight;
    if (!width || !height) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  // Drawn on demand (a change of view, a resize), not every frame: an idle page costs no battery.
  requestRender() {
    if (this.renderQueued || !this.renderer) return;
    this.renderQueued = true;
    this.frame = requestAnimationFrame(() => {
      this.renderQueued = false;
      this.renderer.render(this.scene, this.camera);
      this.placeLabels();
    });
  }

  placeLabels() {
    const width = this.stage.clientWidth;
    const height = this.stage.clientHeight;
    const point = new THREE.Vector3();
    for (const [id, sphere] of this.markerObjects) {
      const label = this.labels.get(id);
      sphere.getWorldPosition(point).project(this.camera);
      const visible = point.z < 1 && Math.abs(point.x) <= 1 && Math.abs(point.y) <= 1;
      label.hidden = !visible;
      label.style.transform = `translate(${((point.x + 1) / 2) * width}px, ${((1 - point.y) / 2) * height}px)`;
    }
  }

  dispose() {
    this.stopAnimation();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.resizeObserver?.disconnect();
    this.controls?.dispose();
    this.scene?.traverse((node) => {
      node.geometry?.dispose();
      node.material?.dispose?.();
    });
    this.renderer?.dispose();
    this.renderer?.forceContextLoss();
    this.renderer = null;
  }
}

function startViewers(container) {
  for (const root of container.querySelectorAll("[data-part-viewer]")) {
    if (viewers.has(root)) continue;
    const viewer = new PartViewer(root);
    viewers.set(root, viewer);
    viewer.start();
  }
}

// A DXF drawing: the markers are <g data-marker="id"> in an <svg> laid over the drawing (no WebGL needed).
function focusDrawingMarker(markerId) {
  const marks = document.querySelectorAll(".part-drawing [data-marker]");
  let found = null;
  for (const mark of marks) {
    const on = mark.dataset.marker === markerId;
    mark.classList.toggle("is-focused", on);
    if (on) found = mark;
  }
  if (found) {
    found.closest(".part-drawing").scrollIntoView({ block: "nearest", behavior: REDUCED_MOTION.matches ? "auto" : "smooth" });
  }
  return found !== null;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-focus-marker]");
  if (link) {
    const markerId = link.dataset.focusMarker;
    let shown = focusDrawingMarker(markerId);
    for (const root of document.querySelectorAll("[data-part-viewer]")) {
      const viewer = viewers.get(root);
      if (viewer?.focus(markerId)) {
        shown = true;
        root.scrollIntoView({ block: "nearest", behavior: REDUCED_MOTION.matches ? "auto" : "smooth" });
      }
    }
    if (shown) event.preventDefault();
    return;
  }
  const reset = event.target.closest("[data-viewer-reset]");
  if (reset) {
    const root = reset.closest("[data-part-viewer]");
    viewers.get(root)?.resetView();
  }
});

document.addEventListener("htmx:load", (event) => startViewers(event.detail.elt.parentElement || document));
document.addEventListener("htmx:beforeCleanupElement", (event) => {
  const viewer = viewers.get(event.detail.elt);
  if (viewer) {
    viewer.dispose();
    viewers.delete(event.detail.elt);
  }
});
startViewers(document);
