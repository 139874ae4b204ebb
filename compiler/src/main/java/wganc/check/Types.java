package wganc.check;

import wganc.syntax.Ast;

/** The type of a train-block expression of a checked model, for the stages after checking. */
public final class Types {
  private Types() {}

  public static Model.Type of(Model model, Model.Phase phase, Ast.Expr e) {
    Diagnostics none = new Diagnostics();
    return new Exprs(new TrainChecker(none, model.data(), model.noise(), model.networks()), phase.types()).type(e)
        .orElseThrow(() -> new IllegalStateException("expression does not type: " + e.span()));
  }
}
