// Drag-and-drop for the upload page: files dropped anywhere on a [data-dropzone] go into its file input, whose
// form then posts as usual (without JavaScript the input works alone). Lists the chosen files' names.
document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
  var input = zone.querySelector("input[type=file]");
  var list = zone.querySelector("[data-dropzone-files]");
  if (!input) return;

  function listFiles() {
    if (!list) return;
    list.replaceChildren();
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
      list.append(item);
    });
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("is-over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("is-over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    var files = new DataTransfer();
    var incoming = input.multiple ? event.dataTransfer.files : [event.dataTransfer.files[0]];
    Array.prototype.forEach.call(incoming, function (file) {
      files.items.add(file);
    });
    input.files = files.files;
    listFiles();
  });
  input.addEventListener("change", listFiles);
});
