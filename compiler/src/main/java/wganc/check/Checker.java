package wganc.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.Span;
import wganc.diag.Suggest;
import wganc.syntax.Ast;

/**
 * Resolution and checking of a whole file: declarations, networks (through {@link Networks}), the train
 * block (through {@link TrainChecker}), then the lints of {@link Lints}. Errors stop compilation;
 * warnings travel with the result.
 */
public final class Checker {
  private final Diagnostics diags = new Diagnostics();

  /** A checked model and its warnings. */
  public record Result(Model model, List<Diagnostic> warnings) {}

  public static Result check(Ast.ModelFile file) throws CompileError {
    return new Checker().run(file);
  }

  private Result run(Ast.ModelFile file) throws CompileError {
    Map<String, Span> names = new HashMap<>();
    List<Model.Data> data = new ArrayList<>();
    for (Ast.DataDecl d : file.data()) {
      boolean named = declare(names, d.name(), d.nameSpan());
      if (d.labels().isPresent()) named &= declare(names, d.labels().get().name(), d.labels().get().nameSpan());
      if (named) data(d).ifPresent(data::add);
    }
    List<Model.Noise> noise = new ArrayList<>();
    for (Ast.NoiseDecl n : file.noise()) {
      if (declare(names, n.name(), n.nameSpan())) noise(n).ifPresent(noise::add);
    }
    List<Model.Network> networks = new ArrayList<>();
    List<Ast.BlockDecl> blocks = file.blocks().stream().filter(b -> declare(names, b.name(), b.nameSpan())).toList();
    Networks reader = new Networks(diags, blocks);
    for (Ast.NetworkDecl n : file.networks()) {
      if (declare(names, n.name(), n.nameSpan())) reader.network(n).ifPresent(networks::add);
    }
    Model.Training training = null;
    if (file.trains().isEmpty()) {
      diags.add(Diagnostic.error("E0401", "model `" + file.name() + "` has no `train` block", file.nameSpan(),
          "nothing to train").withHelp("add `train batch 64, steps 1000 { critic ... generator ... }`"));
    } else {
      for (int i = 1; i < file.trains().size(); i++) {
        diags.add(Diagnostic.error("E0402", "a model has one `train` block", file.trains().get(i).span(), "second `train` block")
            .withHelp("merge the updates into the first block"));
      }
      // networks that failed their own checks are still names, so the train block is checked against them
      boolean allNetworksOk = networks.size() == file.networks().size() && data.size() == file.data().size()
          && noise.size() == file.noise().size();
      if (allNetworksOk) {
        training = new TrainChecker(diags, data, noise, networks).train(file.trains().getFirst()).orElse(null);
      }
    }
    if (diags.hasErrors() || training == null) throw new CompileError(diags.sorted());
    Model model = new Model(file.name(), data, noise, networks, training, file);
    new Lints(diags, model).run();
    if (diags.hasErrors()) throw new CompileError(diags.sorted());
    return new Result(model, diags.sorted());
  }

  private boolean declare(Map<String, Span> names, String name, Span at) {
    Span previous = names.putIfAbsent(name, at);
    if (previous != null) {
      diags.add(Diagnostic.error("E0301", "`" + name + "` is declared twice", at, "declared again here")
          .withNote("first declared at " + previous.position()).withHelp("rename one of them"));
      return false;
    }
    return true;
  }

  /** Each data source with the smallest call that uses it, for help texts. */
  private static final Map<String, String> SOURCES = orderedMap(
      "idx", "idx(\"train-images-idx3-ubyte.gz\")",
      "images", "images(\"faces\")",
      "npy", "npy(\"train.npy\")",
      "toy", "toy(\"8gaussians\")");
  private static final List<String> TOYS = List.of("8gaussians", "25gaussians", "swissroll");
  private static final List<String> BAD_FILES = List.of("refuse", "skip");

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) m.put(keysAndValues[i], keysAndValues[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  private Optional<Model.Data> data(Ast.DataDecl d) {
    List<Integer> shape = d.shape().dims();
    if (shape.isEmpty() || shape.stream().anyMatch(x -> x <= 0 || x > 1_000_000)) {
      diags.add(Diagnostic.error("E0202", "dimensions must be positive integers", d.shape().span(), "found " + shape)
          .withHelp("write per-sample shapes such as `[1, 28, 28]`"));
      return Optional.empty();
    }
    Ast.Call src = d.source();
    if (!SOURCES.containsKey(src.name())) {
      List<String> names = List.copyOf(SOURCES.keySet());
      String help = Suggest.didYouMean(src.name(), names);
      diags.add(Diagnostic.error("E0302", "unknown data source `" + src.name() + "`", src.nameSpan(), "not a data source")
          .withHelp(help != null ? help : "use " + String.join(", ", SOURCES.values().stream().map(c -> "`" + c + "`").toList())));
      return Optional.empty();
    }
    if (d.kind().isPresent() && !d.kind().get().equals("image")) {
      diags.add(Diagnostic.error("E0303", "unknown data kind `" + d.kind().get() + "`", d.kindSpan(), "not a kind")
          .withHelp("write `image[c, h, w]` for images or just the shape, e.g. `[2]`"));
      return Optional.empty();
    }
    double lo = 0, hi = 1;
    if (d.scaling().isPresent()) {
      lo = d.scaling().get().lo();
      hi = d.scaling().get().hi();
      if (!(lo < hi)) {
        diags.add(Diagnostic.error("E0304", "scaling range must have lo < hi", d.scaling().get().span(), "empty range"));
        return Optional.empty();
      }
    }
    Optional<? extends Model.Source> source = switch (src.name()) {
      case "idx" -> idx(d, src);
      case "images" -> images(d, src);
      case "npy" -> npy(src);
      default -> toy(d, src);
    };
    if (source.isEmpty()) return Optional.empty();
    Optional<Model.Labels> classes = Optional.empty();
    if (d.labels().isPresent()) {
      classes = labels(d.labels().get(), d.name(), source.get(), src);
      if (classes.isEmpty()) return Optional.empty();
    }
    if (source.get() instanceof Model.Toy) lo = -1;  // toys are not scaled; the range only frames plots
    return Optional.of(new Model.Data(d.name(), shape, classes, source.get(), lo, hi, d.span()));
  }

  /** True when {@code d} declares `image[c, h, w]`; else reports that {@code src} reads images. */
  private boolean declaredImage(Ast.DataDecl d, Ast.Call src) {
    List<Integer> shape = d.shape().dims();
    if (d.kind().isPresent() && shape.size() == 3) return true;
    diags.add(Diagnostic.error("E0305", "`" + src.name() + "` data are images: declare them as `image[c, h, w]`",
        d.kindSpan(), "declared " + (d.kind().isEmpty() ? "" : "image") + shape)
        .withHelp("write e.g. `real: image[1, 28, 28] = " + src.name() + "(...)`"));
    return false;
  }

  private Optional<Model.Idx> idx(Ast.DataDecl d, Ast.Call src) {
    if (!declaredImage(d, src)) return Optional.empty();
    Optional<Args> b = Args.bind("idx", src.nameSpan(), src.args(), List.of("images", "labels", "keep"), 1, diags);
    if (b.isEmpty()) return Optional.empty();
    Args a = b.get();
    Optional<String> images = string(a, "images", src);
    if (images.isEmpty()) return Optional.empty();
    Optional<String> labels = Optional.empty();
    if (a.has("labels")) {
      labels = string(a, "labels", src);
      if (labels.isEmpty()) return Optional.empty();
    }
    List<Integer> keep = new ArrayList<>();
    if (a.has("keep")) {
      Ast.Value v = a.arg("keep").get().value();
      List<Ast.Value> items = v instanceof Ast.ListValue l ? l.items() : List.of(v);
      for (Ast.Value it : items) {
        if (!(it instanceof Ast.Num n) || !n.integral() || n.value() < 0 || n.value() > 255) {
          diags.add(Diagnostic.error("E0306", "`keep` lists labels, integers from 0 to 255", it.span(),
              "found " + Args.describe(it)));
          return Optional.empty();
        }
        keep.add((int) n.value());
      }
      if (labels.isEmpty()) {
        diags.add(Diagnostic.error("E0307", "`keep` needs the labels file", a.spanOf("keep"), "no `labels=`")
            .withHelp("add `labels=\"train-labels-idx1-ubyte.gz\"`"));
        return Optional.empty();
      }
    }
    return Optional.of(new Model.Idx(images.get(), labels, keep));
  }

  /**
   * `images(folder, size=, bad=)`: greyscale or RGB images; {@code size}, when given, repeats the
   * declared height and width.
   */
  private Optional<Model.Images> images(Ast.DataDecl d, Ast.Call src) {
    if (!declaredImage(d, src)) return Optional.empty();
    List<Integer> shape = d.shape().dims();
    if (shape.get(0) != 1 && shape.get(0) != 3) {
      diags.add(Diagnostic.error("E0314", "`images` reads greyscale or RGB: declare 1 or 3 channels", d.shape().span(),
          "declared " + shape.get(0) + " channels")
          .withHelp("write `image[1, " + shape.get(1) + ", " + shape.get(2) + "]` for greyscale or `image[3, "
              + shape.get(1) + ", " + shape.get(2) + "]` for colour"));
      return Optional.empty();
    }
    Optional<Args> b = Args.bind("images", src.nameSpan(), src.args(), List.of("folder", "size", "bad"), 1, diags);
    if (b.isEmpty()) return Optional.empty();
    Args a = b.get();
    Optional<String> folder = string(a, "folder", src);
    if (folder.isEmpty()) return Optional.empty();
    if (a.has("size")) {
      Optional<int[]> size = a.ints("size", 2, null, 1);
      if (size.isEmpty()) return Optional.empty();
      List<Integer> declared = shape.subList(1, 3);
      if (size.get()[0] != declared.get(0) || size.get()[1] != declared.get(1)) {
        diags.add(Diagnostic.error("E0315", "`size` of `images` differs from the declared height and width",
            a.arg("size").get().value().span(), "declared `image" + shape + "`")
            .withHelp("drop `size=` (the declaration sets it) or declare `image[" + shape.get(0) + ", " + size.get()[0]
                + ", " + size.get()[1] + "]`"));
        return Optional.empty();
      }
    }
    String bad = "refuse";
    if (a.has("bad")) {
      Optional<String> given = string(a, "bad", src);
      if (given.isEmpty()) return Optional.empty();
      if (!BAD_FILES.contains(given.get())) {
        String help = Suggest.didYouMean(given.get(), BAD_FILES);
        diags.add(Diagnostic.error("E0316", "`bad` of `images` must be \"refuse\" or \"skip\"",
            a.arg("bad").get().value().span(), "found \"" + given.get() + "\"")
            .withHelp(help != null ? help : "write `bad=\"skip\"` to leave out files that do not decode"));
        return Optional.empty();
      }
      bad = given.get();
    }
    return Optional.of(new Model.Images(folder.get(), bad.equals("skip")));
  }

  /** `npy(file)`: any per-sample shape; the file's shape is checked when it is read. */
  private Optional<Model.Npy> npy(Ast.Call src) {
    Optional<Args> b = Args.bind("npy", src.nameSpan(), src.args(), List.of("file"), 1, diags);
    if (b.isEmpty()) return Optional.empty();
    return string(b.get(), "file", src).map(Model.Npy::new);
  }

  private Optional<Model.Toy> toy(Ast.DataDecl d, Ast.Call src) {
    List<Integer> shape = d.shape().dims();
    Optional<Args> b = Args.bind("toy", src.nameSpan(), src.args(), List.of("kind", "scale", "std"), 1, diags);
    if (b.isEmpty()) return Optional.empty();
    Args a = b.get();
    Optional<String> kind = string(a, "kind", src);
    if (kind.isEmpty()) return Optional.empty();
    if (!TOYS.contains(kind.get())) {
      String help = Suggest.didYouMean(kind.get(), TOYS);
      diags.add(Diagnostic.error("E0308", "unknown toy distribution \"" + kind.get() + "\"", a.spanOf("kind"), "not a toy")
          .withHelp(help != null ? help : "toys are \"8gaussians\", \"25gaussians\" and \"swissroll\""));
      return Optional.empty();
    }
    if (!shape.equals(List.of(2)) || d.kind().isPresent()) {
      diags.add(Diagnostic.error("E0309", "toy data are 2-D points: declare them as `[2]`", d.shape().span(),
          "declared " + (d.kind().isPresent() ? "image" : "") + shape));
      return Optional.empty();
    }
    double defaultScale = switch (kind.get()) { case "8gaussians" -> 2; case "25gaussians" -> 2.828; default -> 7.5; };
    double defaultStd = switch (kind.get()) { case "8gaussians" -> 0.02; case "25gaussians" -> 0.05; default -> 0.25; };
    var scale = a.number("scale", defaultScale, 0, 1e6, true);
    var std = a.number("std", defaultStd, 0, 1e6, false);
    if (scale.isEmpty() || std.isEmpty()) return Optional.empty();
    if (d.scaling().isPresent()) {
      diags.add(Diagnostic.error("E0310", "toy data are not scaled", d.scaling().get().span(), "not for toys")
          .withHelp("use `scale=` of `toy(...)`"));
      return Optional.empty();
    }
    return Optional.of(new Model.Toy(kind.get(), scale.get(), std.get()));
  }


  /**
   * `y: class[10]` of data `real`, read from the `labels=` file of its `idx` source, or from the
   * subfolders of its `images` folder (one per class).
   */
  private Optional<Model.Labels> labels(Ast.Labels l, String data, Model.Source source, Ast.Call src) {
    OptionalInt classes = classes(l.kind(), l.kindSpan(), l.shape(), "labels `" + l.name() + "`");
    if (classes.isEmpty()) return Optional.empty();
    if (source instanceof Model.Images) return Optional.of(new Model.Labels(l.name(), classes.getAsInt(), l.span()));
    if (!(source instanceof Model.Idx idx)) {
      diags.add(Diagnostic.error("E0322", "`" + src.name() + "` data have no labels", l.span(), "labels declared")
          .withHelp("labels come with `idx(images, labels=...)` data, or with `images(folder)` holding a subfolder"
              + " per class"));
      return Optional.empty();
    }
    if (idx.labels().isEmpty()) {
      diags.add(Diagnostic.error("E0322", "labels `" + l.name() + "` of data `" + data + "` need the labels file",
              src.span(), "no `labels=`")
          .withHelp("add `labels=\"train-labels-idx1-ubyte.gz\"`"));
      return Optional.empty();
    }
    return Optional.of(new Model.Labels(l.name(), classes.getAsInt(), l.span()));
  }

  /** The class count of `class[k]` (2 to 256); empty after reporting why {@code kind shape} is not one. */
  private OptionalInt classes(String kind, Span kindSpan, Ast.Shape shape, String what) {
    if (!kind.equals("class")) {
      String help = Suggest.didYouMean(kind, List.of("class"));
      diags.add(Diagnostic.error("E0320", "unknown kind `" + kind + "` for " + what, kindSpan, "not a kind")
          .withHelp(help != null ? help : "write `class[k]`, one of k classes as a one-hot vector"));
      return OptionalInt.empty();
    }
    List<Integer> dims = shape.dims();
    if (dims.size() != 1 || dims.getFirst() < 2 || dims.getFirst() > 256) {
      diags.add(Diagnostic.error("E0321", "a class is one of k classes, 2 to 256: write `class[k]`", shape.span(),
          "found class" + dims).withHelp("e.g. `class[10]` for the ten digits"));
      return OptionalInt.empty();
    }
    return OptionalInt.of(dims.getFirst());
  }

  private Optional<String> string(Args a, String key, Ast.Call src) {
    Ast.Arg arg = a.arg(key).orElse(null);
    if (arg == null) {
      diags.add(Diagnostic.error("E0105", "`" + src.name() + "` needs `" + key + "`", src.span(), "missing `" + key + "`")
          .withHelp("write `" + SOURCES.get(src.name()) + "`"));
      return Optional.empty();
    }
    if (arg.value() instanceof Ast.Str s && !s.value().isBlank()) return Optional.of(s.value());
    diags.add(Diagnostic.error("E0311", "`" + key + "` of `" + src.name() + "` must be a string", arg.value().span(),
        "found " + Args.describe(arg.value())).withHelp("put it in double quotes"));
    return Optional.empty();
  }

  private Optional<Model.Noise> noise(Ast.NoiseDecl n) {
    List<Integer> shape = n.shape().dims();
    if (shape.isEmpty() || shape.stream().anyMatch(x -> x <= 0 || x > 1_000_000)) {
      diags.add(Diagnostic.error("E0202", "dimensions must be positive integers", n.shape().span(), "found " + shape)
          .withHelp("write e.g. `noise z: [128] ~ normal(0, 1)`"));
      return Optional.empty();
    }
    if (n.kind().isPresent()) {
      OptionalInt classes = classes(n.kind().get(), n.kindSpan(), n.shape(), "noise `" + n.name() + "`");
      if (classes.isEmpty()) return Optional.empty();
      if (!n.dist().name().equals("uniform") || !n.dist().args().isEmpty()) {
        diags.add(Diagnostic.error("E0323", "a class noise is drawn `uniform`", n.dist().span(),
                "found `" + n.dist().name() + (n.dist().args().isEmpty() ? "" : "(...)") + "`")
            .withHelp("write `noise " + n.name() + ": class[" + classes.getAsInt() + "] ~ uniform`: each class equally likely"));
        return Optional.empty();
      }
      return Optional.of(new Model.Noise(n.name(), shape, new Model.OneHot(classes.getAsInt()), n.span()));
    }
    return distribution(n.dist(), diags).map(d -> new Model.Noise(n.name(), shape, d, n.span()));
  }

  static final List<String> DISTRIBUTIONS = List.of("normal", "uniform");

  static Optional<Model.Distribution> distribution(Ast.Call c, Diagnostics diags) {
    if (!DISTRIBUTIONS.contains(c.name())) {
      String help = Suggest.didYouMean(c.name(), DISTRIBUTIONS);
      diags.add(Diagnostic.error("E0312", "unknown distribution `" + c.name() + "`", c.nameSpan(), "not a distribution")
          .withHelp(help != null ? help : "use `normal(mean, std)` or `uniform(lo, hi)`"));
      return Optional.empty();
    }
    boolean normal = c.name().equals("normal");
    Optional<Args> b = Args.bind(c.name(), c.nameSpan(), c.args(), normal ? List.of("mean", "std") : List.of("lo", "hi"), 2, diags);
    if (b.isEmpty()) return Optional.empty();
    Args a = b.get();
    if (normal) {
      var mean = a.number("mean", 0, -1e6, 1e6, false);
      var std = a.number("std", 1, 0, 1e6, true);
      return mean.isEmpty() || std.isEmpty() ? Optional.empty() : Optional.of(new Model.Normal(mean.get(), std.get()));
    }
    var lo = a.number("lo", 0, -1e6, 1e6, false);
    var hi = a.number("hi", 1, -1e6, 1e6, false);
    if (lo.isEmpty() || hi.isEmpty()) return Optional.empty();
    if (!(lo.get() < hi.get())) {
      diags.add(Diagnostic.error("E0213", "`uniform` needs lo < hi", c.span(), "empty range"));
      return Optional.empty();
    }
    return Optional.of(new Model.Uniform(lo.get(), hi.get()));
  }
}
