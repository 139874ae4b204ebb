package wganc.compile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import wganc.check.LayerSpec;
import wganc.check.Model;
import wganc.diag.Span;
import wganc.ir.Graph;
import wganc.ir.Node;
import wganc.lower.Lowering;
import wganc.runtime.train.ModelSpec;
import wganc.syntax.Ast;

/** The {@link ModelSpec} of a checked model and its lowered phases: what a trainer needs besides kernels. */
public final class Specs {
  private Specs() {}

  /** The data sources of {@code m}, in declaration order. */
  public static List<ModelSpec.Data> data(Model m) {
    List<ModelSpec.Data> data = new ArrayList<>();
    for (Model.Data d : m.data()) {
      int[] shape = ints(d.shape());
      switch (d.source()) {
        case Model.Idx idx -> data.add(new ModelSpec.Data(d.name(), shape, "idx", idx.images(), idx.labels().orElse(null),
            idx.keep().stream().mapToInt(Integer::intValue).toArray(), d.lo(), d.hi(), null, 0, 0, false,
            d.labels().map(Model.Labels::classes).orElse(0)));
        case Model.Images im -> data.add(new ModelSpec.Data(d.name(), shape, "images", im.folder(), null, new int[0],
            d.lo(), d.hi(), null, 0, 0, im.skipBad(), d.labels().map(Model.Labels::classes).orElse(0)));
        case Model.Npy npy -> data.add(new ModelSpec.Data(d.name(), shape, "npy", npy.file(), null, new int[0], d.lo(),
            d.hi(), null, 0, 0, false, 0));
        case Model.Toy toy -> data.add(new ModelSpec.Data(d.name(), shape, "toy", null, null, new int[0], d.lo(), d.hi(),
            toy.kind(), toy.scale(), toy.std(), false, 0));
      }
    }
    return List.copyOf(data);
  }

  /**
   * {@code phases}: the model's phases as the kernels lower them; {@code traced}: as traces lower them
   * ({@link Lowering.Draws#INPUTS}), for the inputs a replay provides.
   */
  static ModelSpec of(Model m, String sourceText, List<Lowering.PhaseGraph> phases, List<Lowering.PhaseGraph> traced,
                             int sampleN) {
    List<ModelSpec.Data> data = data(m);
    List<ModelSpec.Noise> noise = new ArrayList<>();
    for (Model.Noise z : m.noise()) {
      noise.add(switch (z.dist()) {
        case Model.Normal n -> new ModelSpec.Noise(z.name(), ints(z.shape()), "normal", n.mean(), n.std());
        case Model.Uniform u -> new ModelSpec.Noise(z.name(), ints(z.shape()), "uniform", u.lo(), u.hi());
        case Model.OneHot c -> new ModelSpec.Noise(z.name(), ints(z.shape()), "class", c.classes(), 0);
      });
    }
    List<ModelSpec.Param> params = new ArrayList<>();
    for (Model.Network net : m.networks()) {
      for (Model.Layer l : net.leaves()) {
        for (Model.Param p : l.params()) params.add(param(p, l));
      }
    }
    List<ModelSpec.State> state = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Lowering.PhaseGraph pg : phases) {
      for (var b : pg.graph().bindings()) {
        if (b.node() instanceof Node.Parameter p && p.name().startsWith(pg.update().name() + ".") && !seen.contains(p.name())) {
          seen.add(p.name());
          state.add(new ModelSpec.State(p.name(), ints(b.value().type().dims()), p.name().endsWith(".t") ? 1 : 0));
        }
      }
    }
    List<ModelSpec.Update> updates = new ArrayList<>();
    for (Model.Update u : m.training().updates()) {
      List<ModelSpec.PhaseInfo> infos = new ArrayList<>();
      for (Model.Phase p : u.phases()) {
        Graph g = phases.stream().filter(x -> x.name().equals(p.name())).findFirst().orElseThrow().graph();
        List<String> dataInputs = new ArrayList<>();
        for (var b : g.bindings()) {
          if (b.node() instanceof Node.Input i && m.data().stream().anyMatch(d -> d.name().equals(i.name()))) {
            dataInputs.add(i.name());
          }
        }
        List<String> metrics = new ArrayList<>();
        metrics.add("loss");
        for (var e : g.outputs().entrySet()) {
          if (!e.getKey().equals("loss") && e.getValue().type().rank() == 0 && p.types().containsKey(e.getKey())) {
            metrics.add(e.getKey());
          }
        }
        List<String> inputs = new ArrayList<>();
        for (var b : traced.stream().filter(x -> x.name().equals(p.name())).findFirst().orElseThrow().graph().bindings()) {
          if (b.node() instanceof Node.Input i && !i.name().equals("rng_step")) inputs.add(i.name());
        }
        infos.add(new ModelSpec.PhaseInfo(p.name(), p.batch(), dataInputs, inputs, metrics,
            origins(p, metrics)));
      }
      updates.add(new ModelSpec.Update(u.name(), u.role() == Ast.Role.CRITIC ? "critic" : "generator", u.perGenerator(),
          infos));
    }
    Model.Network g = Lowering.generator(m);
    Model.Noise z = Lowering.generatorNoise(m);
    if (g.extra().size() > 1) {
      throw new IllegalArgumentException("generator `" + g.name() + "` has " + g.arity() + " inputs; sampling gives it"
          + " noise and at most one class");
    }
    ModelSpec.Sample sample = g.extra().isEmpty()
        ? new ModelSpec.Sample("sample", z.name(), ints(z.shape()), "sample", ints(g.out()), sampleN)
        : new ModelSpec.Sample("sample", z.name(), ints(z.shape()), "sample", ints(g.out()), sampleN,
            Lowering.conditionInput(g, g.extra().getFirst()), g.extra().getFirst().shape().getFirst());
    return new ModelSpec(m.name(), sha256(sourceText), m.training().batch(), m.training().epochs().orElse(null),
        m.training().steps().orElse(null), m.training().seed(), data, noise, params, state, updates, sample);
  }

  /** Where the statement of each metric is, as run-time errors show it. */
  private static Map<String, ModelSpec.Origin> origins(Model.Phase p, List<String> metrics) {
    Map<String, ModelSpec.Origin> out = new LinkedHashMap<>();
    for (Ast.Stmt s : p.stmts()) {
      if (!metrics.contains(s.name())) continue;
      Span span = s.span();
      out.put(s.name(), new ModelSpec.Origin(span.file().path(), span.line(), span.column(), span.widthOnLine(),
          span.file().line(span.line())));
    }
    return out;
  }

  private static ModelSpec.Param param(Model.Param p, Model.Layer l) {
    String init;
    double a = 0, b = 0;
    switch (p.init()) {
      case Model.Init.Normal n -> { init = "normal"; a = n.mean(); b = n.std(); }
      case Model.Init.Uniform u -> { init = "uniform"; a = u.lo(); b = u.hi(); }
      case Model.Init.Glorot gl -> init = gl.uniform() ? "glorot_uniform" : "glorot_normal";
      case Model.Init.He he -> init = he.uniform() ? "he_uniform" : "he_normal";
      case Model.Init.Constant c -> { init = "constant"; a = c.value(); }
    }
    LayerSpec.Fans fans = l.spec().fans(l.in());
    return new ModelSpec.Param(p.name(), ints(p.shape()), p.kind().word(), p.trainable(), init, a, b, fans.in(), fans.out());
  }

  static int[] ints(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
