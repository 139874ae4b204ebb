package wganc.passes;

import wganc.ir.Graph;

/** A pure graph transform: never mutates its input, returns the input itself when nothing changes. */
public interface Pass {
  String name();

  Graph run(Graph in);
}
