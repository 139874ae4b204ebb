package wganc.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import wganc.ops.Op;
import wganc.ops.Ops;

/**
 * Reads the text form written by {@link IrPrinter}. Blank lines and lines starting with
 * {@code //} are skipped. The declared type of an application is kept as written; run
 * {@link IrVerifier} to check it against the op's shape rule.
 */
public final class IrParser {
  private final String[] lines;
  private int lineNo;

  private IrParser(String text) {
    this.lines = text.split("\n", -1);
  }

  public static Graph parse(String text) {
    return new IrParser(text).graph();
  }

  private Graph graph() {
    List<Binding> bindings = new ArrayList<>();
    Map<Integer, Value> defined = new HashMap<>();
    Map<String, Value> outputs = new LinkedHashMap<>();
    for (lineNo = 0; lineNo < lines.length; lineNo++) {
      String line = lines[lineNo].strip();
      if (line.isEmpty() || line.startsWith("//")) {
        continue;
      }
      Cursor c = new Cursor(line);
      if (c.tryWord("output")) {
        String name = c.quoted();
        c.expect('=');
        outputs.put(name, use(c, defined));
        c.end();
        continue;
      }
      int id = c.valueId();
      c.expect(':');
      TensorType type = c.type();
      c.expect('=');
      String head = c.word();
      Node node = switch (head) {
        case "input" -> new Node.Input(c.quoted(), type);
        case "parameter" -> new Node.Parameter(c.quoted(), type);
        case "constant" -> new Node.Constant(Double.parseDouble(c.token()), type);
        default -> apply(head, type, c, defined);
      };
      c.end();
      Value v = new Value(id, type);
      if (defined.put(id, v) != null) {
        throw error("value %" + id + " is bound twice");
      }
      bindings.add(new Binding(v, node));
    }
    return new Graph(bindings, outputs);
  }

  private Node apply(String opName, TensorType type, Cursor c, Map<Integer, Value> defined) {
    Op op = Ops.byName(opName);
    List<Value> inputs = new ArrayList<>();
    while (c.peek() == '%') {
      inputs.add(use(c, defined));
    }
    Attrs attrs = c.peek() == '{' ? c.attrs() : Attrs.NONE;
    Source source = Source.NONE;
    if (c.peek() == '@') {
      String text = c.rest().substring(1);
      int col = text.lastIndexOf(':');
      int line = text.lastIndexOf(':', col - 1);
      source = new Source(text.substring(0, line), Integer.parseInt(text.substring(line + 1, col)),
          Integer.parseInt(text.substring(col + 1)));
    }
    return new Node.Apply(op, inputs, attrs, type, source);
  }

  private Value use(Cursor c, Map<Integer, Value> defined) {
    int id = c.valueId();
    Value v = defined.get(id);
    if (v == null) {
      throw error("value %" + id + " is used before it is defined");
    }
    return v;
  }

  private IrException error(String message) {
    return new IrException("line " + (lineNo + 1) + ": " + message + "\n  " + lines[lineNo]);
  }

  /** A cursor over one line. */
  private final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s) {
      this.s = s;
    }

    void skip() {
      while (pos < s.length() && s.charAt(pos) == ' ') {
        pos++;
      }
    }

    char peek() {
      skip();
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    void expect(char ch) {
      if (peek() != ch) {
        throw error("expected `" + ch + "` at column " + (pos + 1));
      }
      pos++;
    }

    boolean tryWord(String w) {
      skip();
      if (s.startsWith(w, pos) && (pos + w.length() == s.length()
          || s.charAt(pos + w.length()) == ' ')) {
        pos += w.length();
        return true;
      }
      return false;
    }

    String token() {
      skip();
      int start = pos;
      while (pos < s.length() && " ,]}{[=".indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a token at column " + (pos + 1));
      }
      return s.substring(start, pos);
    }

    String word() {
      return token();
    }

    int valueId() {
      expect('%');
      return Integer.parseInt(token());
    }

    String quoted() {
      expect('"');
      int end = s.indexOf('"', pos);
      if (end < 0) {
        throw error("unterminated string");
      }
      String r = s.substring(pos, end);
      pos = end + 1;
      return r;
    }

    TensorType type() {
      skip();
      int open = s.indexOf('[', pos);
      int close = s.indexOf(']', open);
      if (open < 0 || close < 0) {
        throw error("expected a type such as `f32[2,3]`");
      }
      ElementType dtype = ElementType.parse(s.substring(pos, open).strip());
      String inner = s.substring(open + 1, close).strip();
      pos = close + 1;
      return new TensorType(dtype, ints(inner));
    }

    Attrs attrs() {
      expect('{');
      TreeMap<String, Object> m = new TreeMap<>();
      while (peek() != '}') {
        String key = token();
        expect('=');
        Object v;
        if (peek() == '[') {
          int close = s.indexOf(']', pos);
          v = ints(s.substring(pos + 1, close).strip());
          pos = close + 1;
        } else {
          String t = token();
          if (t.equals("true") || t.equals("false")) {
            v = Boolean.parseBoolean(t);
          } else if (t.contains(".") || t.contains("E") || t.contains("N") || t.contains("I")) {
            v = Double.parseDouble(t);
          } else {
            long l = Long.parseLong(t);
            v = l;
          }
        }
        m.put(key, v);
        if (peek() == ',') {
          pos++;
        }
      }
      expect('}');
      return new Attrs(m);
    }

    String rest() {
      skip();
      String r = s.substring(pos);
      pos = s.length();
      return r;
    }

    void end() {
      if (peek() != '\0') {
        throw error("unexpected `" + s.substring(pos) + "`");
      }
    }
  }

  private static List<Integer> ints(String inner) {
    List<Integer> dims = new ArrayList<>();
    if (!inner.isEmpty()) {
      for (String part : inner.split(",")) {
        dims.add(Integer.parseInt(part.strip()));
      }
    }
    return dims;
  }
}
