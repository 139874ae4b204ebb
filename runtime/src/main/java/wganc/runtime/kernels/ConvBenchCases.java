package wganc.runtime.kernels;

import java.util.List;

final class ConvBenchCases {
  private ConvBenchCases() {}

  static void add(List<KernelBench.Case> cs) {}
}
