package wganc.runtime.train;

import java.util.List;

/** A model compiled for one backend: its spec and a {@link Phase} for every phase and for sampling. */
public interface CompiledModel {
  ModelSpec spec();

  /** The phases of {@link ModelSpec#updates()} in order, then the sampling phase. */
  List<Phase> phases();

  /** e.g. `jvm`, `tornado`. */
  String backend();

  /** A compiled model from its parts. */
  static CompiledModel of(ModelSpec spec, List<Phase> phases, String backend) {
    List<Phase> copy = List.copyOf(phases);
    return new CompiledModel() {
      @Override public ModelSpec spec() { return spec; }
      @Override public List<Phase> phases() { return copy; }
      @Override public String backend() { return backend; }
    };
  }

  default Phase phase(String name) {
    return phases().stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no phase `" + name + "`"));
  }
}
