package wganc.ir;

/** A malformed graph or a shape error; the message names the op, the expected and the found. */
public final class IrException extends RuntimeException {
  public IrException(String message) {
    super(message);
  }
}
