package wganc.lower;

import java.util.List;
import java.util.function.UnaryOperator;
import wganc.check.Model;
import wganc.ir.ElementType;
import wganc.ir.GraphBuilder;
import wganc.ir.Value;

/**
 * The optimisers' update rules as IR, with the exact formulas and epsilons of Keras and of PyTorch:
 * <ul>
 *   <li>SGD: {@code v = momentum*v - lr*g; p += v} (Keras; PyTorch's form gives the same values
 *       for plain momentum), Nesterov {@code p += momentum*v - lr*g};
 *   <li>RMSprop, Keras: {@code ms = rho*ms + (1-rho)*g^2; p -= lr*g / sqrt(ms + eps)};
 *       PyTorch: {@code p -= lr*g / (sqrt(ms) + eps)}; momentum and centred variants as each does;
 *   <li>Adam, Keras: {@code lr_t = lr*sqrt(1-b2^t)/(1-b1^t); p -= lr_t*m / (sqrt(v) + eps)};
 *       PyTorch: {@code p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)}.
 * </ul>
 * The iteration {@code t} (1-based, shared by all phases of an update) is the parameter
 * {@code <update>.t}; the caller advances it. Clipping follows the update (Keras constraints).
 * Where the update decays its learning rate linearly, {@code lr} above is
 * {@code lr * max(0, 1 - (t-1)/updates)} (see {@link Model.Linear}), computed once per phase from t.
 */
final class Optimizers {
  private Optimizers() {}

  interface State {
    Value get(String name, List<Integer> shape, ElementType type);
  }

  static void step(GraphBuilder b, Model.Update u, List<String> names, List<Value> params, List<Value> grads,
                   State state, Model model) {
    Value t = state.get(u.name() + ".t", List.of(), ElementType.F32);
    UnaryOperator<Value> lr = learningRate(b, u, t);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      Value p = params.get(i);
      Value g = grads.get(i);
      String prefix = u.name() + "." + name + ".";
      List<Integer> shape = p.type().dims();
      Value next = switch (u.optimizer()) {
        case Model.Sgd s -> {
          if (s.momentum() == 0) yield b.sub(p, lr.apply(g));
          Value v = state.get(prefix + "momentum", shape, ElementType.F32);
          Value v2 = b.sub(b.mul(v, s.momentum()), lr.apply(g));
          b.output(prefix + "momentum", v2);
          yield s.nesterov() ? b.add(p, b.sub(b.mul(v2, s.momentum()), lr.apply(g))) : b.add(p, v2);
        }
        case Model.RmsProp r -> {
          Value ms = state.get(prefix + "ms", shape, ElementType.F32);
          Value ms2 = b.add(b.mul(ms, r.rho()), b.mul(b.mul(g, g), 1 - r.rho()));
          b.output(prefix + "ms", ms2);
          Value denomSq = ms2;
          if (r.centered()) {
            Value mg = state.get(prefix + "mg", shape, ElementType.F32);
            Value mg2 = b.add(b.mul(mg, r.rho()), b.mul(g, 1 - r.rho()));
            b.output(prefix + "mg", mg2);
            denomSq = b.sub(ms2, b.mul(mg2, mg2));
          }
          Value denom = r.convention() == Model.Convention.KERAS ? b.sqrt(b.add(denomSq, r.eps()))
              : b.add(b.sqrt(denomSq), r.eps());
          Value delta = b.div(lr.apply(g), denom);
          if (r.momentum() > 0) {
            Value mom = state.get(prefix + "momentum", shape, ElementType.F32);
            Value mom2 = b.add(b.mul(mom, r.momentum()), delta);
            b.output(prefix + "momentum", mom2);
            delta = mom2;
          }
          yield b.sub(p, delta);
        }
        case Model.Adam a -> {
          Value m = state.get(prefix + "m", shape, ElementType.F32);
          Value v = state.get(prefix + "v", shape, ElementType.F32);
          Value m2 = b.add(b.mul(m, a.beta1()), b.mul(g, 1 - a.beta1()));
          Value v2 = b.add(b.mul(v, a.beta2()), b.mul(b.mul(g, g), 1 - a.beta2()));
          b.output(prefix + "m", m2);
          b.output(prefix + "v", v2);
          Value vUsed = v2;
          if (a.amsgrad()) {
            Value vmax = state.get(prefix + "vmax", shape, ElementType.F32);
            vUsed = b.maximum(vmax, v2);
            b.output(prefix + "vmax", vUsed);
          }
          Value bc1 = biasCorrection(b, t, a.beta1());
          Value bc2 = biasCorrection(b, t, a.beta2());
          if (a.convention() == Model.Convention.KERAS) {
            Value lrT = b.div(lr.apply(b.sqrt(bc2)), bc1);
            yield b.sub(p, b.mul(b.div(m2, b.add(b.sqrt(vUsed), a.eps())), lrT));
          }
          Value mHat = b.div(m2, bc1);
          Value vHat = b.div(vUsed, bc2);
          yield b.sub(p, lr.apply(b.div(mHat, b.add(b.sqrt(vHat), a.eps()))));
        }
      };
      Model.Param spec = model.networks().stream().flatMap(n -> n.params().stream())
          .filter(x -> x.name().equals(name)).findFirst().orElseThrow();
      if (spec.clip().isPresent()) next = b.clip(next, -spec.clip().get(), spec.clip().get());
      b.output(name, next);
    }
    b.output(u.name() + ".t", b.add(t, 1.0));
  }

  /**
   * Adam's {@code 1 - beta^t = 1 - exp(t * log(beta))}, t the 1-based iteration. With {@code beta = 0}
   * it is the constant 1: written out rather than as {@code exp(t * -inf)}, whose infinities device
   * compilers built for fast math (TornadoVM's OpenCL on PoCL) do not honour.
   */
  private static Value biasCorrection(GraphBuilder b, Value t, double beta) {
    if (beta == 0) return b.constant(1, t.type());
    return b.sub(b.constant(1, t.type()), b.exp(b.mul(t, Math.log(beta))));
  }

  /** {@code x -> x * lr}: the optimiser's constant, or its linear decay computed from the counter t. */
  private static UnaryOperator<Value> learningRate(GraphBuilder b, Model.Update u, Value t) {
    double lr = u.optimizer().lr();
    return switch (u.schedule()) {
      case Model.Constant c -> x -> b.mul(x, lr);
      case Model.Linear l -> {
        Value left = b.sub(b.constant(1, t.type()), b.mul(b.sub(t, 1.0), 1.0 / l.updates()));
        Value now = b.mul(b.maximum(left, b.constant(0, t.type())), lr);
        yield x -> b.mul(x, now);
      }
    };
  }
}
