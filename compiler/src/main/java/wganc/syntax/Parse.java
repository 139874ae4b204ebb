package wganc.syntax;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import wganc.diag.CompileError;
import wganc.diag.Diagnostic;
import wganc.diag.SourceFile;
import wganc.diag.Span;
import wganc.grammar.WganLexer;
import wganc.grammar.WganParser;

/**
 * Bytes to AST. Takes over ANTLR's error handling: the input is decoded strictly as UTF-8, the lexer's
 * catch-all tokens become targeted errors, nesting and size are bounded before parsing, and the parser
 * bails at the first error (no inserted or deleted tokens) with a sorted expected set.
 */
public final class Parse {
  /** Deeper bracket nesting than this is rejected before parsing. */
  public static final int MAX_NESTING = 64;
  /** Expressions with more operators than this are rejected before parsing (their trees recurse). */
  public static final int MAX_OPERATORS = 256;
  /** Files with more tokens than this are rejected before parsing. */
  public static final int MAX_TOKENS = 200_000;

  private Parse() {}

  /** Decodes, lexes and parses a file; the source is returned through {@code sourceOut[0]}. */
  public static Ast.ModelFile parse(String path, byte[] bytes, SourceFile[] sourceOut) throws CompileError {
    SourceFile source = decode(path, bytes, sourceOut);
    return parse(source);
  }

  public static Ast.ModelFile parse(SourceFile source) throws CompileError {
    WganLexer lexer = new WganLexer(CharStreams.fromString(source.text(), source.path()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    checkTokens(source, tokens.getTokens());
    WganParser parser = new WganParser(tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(new BailErrorStrategy());
    WganParser.FileContext tree;
    try {
      tree = parser.file();
    } catch (ParseCancellationException e) {
      RecognitionException re = e.getCause() instanceof RecognitionException r ? r : null;
      throw new CompileError(syntaxError(source, parser, re));
    }
    return new AstBuilder(source).file(tree);
  }

  private static SourceFile decode(String path, byte[] bytes, SourceFile[] sourceOut) throws CompileError {
    CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = strict.decode(in, out, true);
    if (result.isError()) {
      int badByte = in.position();
      String lenient = new String(bytes, StandardCharsets.UTF_8);
      String prefix = new String(bytes, 0, badByte, StandardCharsets.UTF_8);
      if (lenient.startsWith("\uFEFF")) {
        lenient = lenient.substring(1);
        prefix = prefix.substring(1);
      }
      SourceFile source = new SourceFile(path, lenient);
      sourceOut[0] = source;
      throw new CompileError(Diagnostic.error("E0001", "file is not valid UTF-8",
              source.span(prefix.length(), prefix.length() + 1),
              String.format("invalid byte 0x%02x", bytes[badByte] & 0xff))
          .withHelp("save the model file as UTF-8 text"));
    }
    strict.flush(out);
    out.flip();
    String text = out.toString();
    if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte-order mark is not text: columns count after it
    SourceFile source = new SourceFile(path, text);
    sourceOut[0] = source;
    return source;
  }

  private static void checkTokens(SourceFile source, List<Token> tokens) throws CompileError {
    int depth = 0;
    int count = 0;
    int operators = 0; // since the start of the current statement or declaration
    for (Token t : tokens) {
      if (t.getType() == Token.EOF) break;
      Span span = span(source, t);
      if (++count > MAX_TOKENS) {
        throw new CompileError(Diagnostic.error("E0004", "model file is too large", span,
            "more than " + MAX_TOKENS + " tokens").withHelp("a model file holds a few hundred tokens; is this the right file?"));
      }
      switch (t.getType()) {
        case WganLexer.ERROR_CHAR -> {
          int cp = t.getText().codePointAt(0);
          String shown = Character.isISOControl(cp) || Character.isWhitespace(cp)
              ? String.format("U+%04X", cp) : "`" + t.getText() + "`";
          throw new CompileError(Diagnostic.error("E0002", "unexpected character " + shown, span, "not part of the language")
              .withHelp("remove it; comments start with `#`"));
        }
        case WganLexer.UNTERMINATED_STRING -> throw new CompileError(
            Diagnostic.error("E0003", "unterminated string", span, "no closing `\"` on this line")
                .withHelp("close the string with `\"` before the end of the line"));
        case WganLexer.LPAREN, WganLexer.LBRACK, WganLexer.LBRACE -> {
          if (t.getType() == WganLexer.LBRACE) operators = 0;
          if (++depth > MAX_NESTING) {
            throw new CompileError(Diagnostic.error("E0005", "brackets nested too deeply", span,
                "more than " + MAX_NESTING + " levels").withHelp("split the expression with named values (`t = ...`)"));
          }
        }
        case WganLexer.RPAREN, WganLexer.RBRACK -> depth = Math.max(0, depth - 1);
        case WganLexer.RBRACE -> {
          depth = Math.max(0, depth - 1);
          operators = 0;
        }
        case WganLexer.EQ, WganLexer.TILDE, WganLexer.SEMI -> operators = 0;
        case WganLexer.PLUS, WganLexer.MINUS, WganLexer.STAR, WganLexer.SLASH, WganLexer.CARET -> {
          if (++operators > MAX_OPERATORS) {
            throw new CompileError(Diagnostic.error("E0006", "expression is too long", span,
                "more than " + MAX_OPERATORS + " operators").withHelp("split it with named values (`t = ...`)"));
          }
        }
        default -> {}
      }
    }
  }

  static Span span(SourceFile source, Token t) {
    if (t.getType() == Token.EOF) {
      int end = source.text().length();
      return source.span(end, end);
    }
    return source.span(t.getStartIndex(), t.getStopIndex() + 1);
  }

  private static Diagnostic syntaxError(SourceFile source, Parser parser, RecognitionException e) {
    Token offending = e != null && e.getOffendingToken() != null ? e.getOffendingToken() : parser.getCurrentToken();
    IntervalSet expected;
    try {
      expected = e != null ? e.getExpectedTokens() : parser.getExpectedTokens();
    } catch (RuntimeException ex) {
      expected = parser.getExpectedTokens();
    }
    if (e instanceof NoViableAltException nv && nv.getStartToken() != null && nv.getStartToken() != offending) {
      // point at where the alternatives diverged only if it is the offending token's line
      offending = nv.getOffendingToken();
    }
    Span span = span(source, offending);
    String found = describe(offending);
    List<String> names = new ArrayList<>(expectedNames(expected));
    if (names.equals(List.of("end of file"))) {
      // after a declaration the loop `decl*` has exited: any declaration could also follow
      names = List.of("`block`", "`data`", "`network`", "`noise`", "`train`", "end of file");
    }
    String what = names.isEmpty() ? "unexpected " + found
        : names.size() == 1 ? "expected " + names.get(0) + ", found " + found
        : "expected one of " + String.join(", ", names) + "; found " + found;
    Diagnostic d = Diagnostic.error("E0010", what, span, "unexpected here");
    String help = hint(parser, offending, names);
    return help == null ? d : d.withHelp(help);
  }

  private static String hint(Parser parser, Token offending, List<String> expected) {
    if (expected.equals(List.of("`model`"))) return "a model file starts with `model NAME`, e.g. `model mnist_wgan_gp`";
    boolean declarationStart = offending.getType() == Token.EOF || offending.getType() == WganLexer.NETWORK
        || offending.getType() == WganLexer.DATA || offending.getType() == WganLexer.NOISE
        || offending.getType() == WganLexer.TRAIN || offending.getType() == WganLexer.BLOCK || offending.getType() == WganLexer.CRITIC
        || offending.getType() == WganLexer.GENERATOR || offending.getType() == WganLexer.UPDATE;
    if (declarationStart && expected.contains("`}`")) {
      Token open = unclosed(parser, offending);
      if (open != null) return "close the `{` at line " + open.getLine() + " with `}`";
      return "a `{` block is not closed";
    }
    if (offending.getType() == WganLexer.RBRACE && parser.getRuleInvocationStack().contains("update")) {
      return "an update needs `critic|generator NET with OPTIMISER(...) { statements }`";
    }
    if (offending.getType() == WganLexer.INT && expected.contains("`[`")) return "shapes are written in brackets, e.g. `[1, 28, 28]`";
    if (offending.getType() == WganLexer.STRING) return null;
    List<String> rules = parser.getRuleInvocationStack();
    if (!rules.isEmpty() && rules.get(0).equals("file")) {
      return "a file holds `model`, then `data`, `noise`, `network`, `block` and `train` declarations";
    }
    return null;
  }

  /** The innermost `{` still open before {@code offending}, or null. */
  private static Token unclosed(Parser parser, Token offending) {
    var tokens = parser.getInputStream();
    java.util.ArrayDeque<Token> open = new java.util.ArrayDeque<>();
    int end = offending.getTokenIndex() < 0 ? tokens.size() : Math.min(offending.getTokenIndex(), tokens.size());
    for (int i = 0; i < end; i++) {
      Token t = tokens.get(i);
      if (t.getType() == WganLexer.LBRACE) open.push(t);
      else if (t.getType() == WganLexer.RBRACE && !open.isEmpty()) open.pop();
    }
    return open.peek();
  }

  private static String describe(Token t) {
    return switch (t.getType()) {
      case Token.EOF -> "end of file";
      case WganLexer.IDENT -> "name `" + t.getText() + "`";
      case WganLexer.INT, WganLexer.FLOAT -> "number `" + t.getText() + "`";
      case WganLexer.STRING -> "string " + abbreviate(t.getText());
      default -> (isKeyword(t.getType()) ? "keyword " : "") + "`" + abbreviate(t.getText()) + "`";
    };
  }

  private static boolean isKeyword(int type) {
    return type >= WganLexer.MODEL && type <= WganLexer.CONCAT;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 37) + "..." : s;
  }

  private static List<String> expectedNames(IntervalSet set) {
    TreeSet<String> names = new TreeSet<>();
    if (set == null) return List.of();
    for (int type : set.toList()) names.add(tokenName(type));
    boolean expressionStart = set.contains(WganLexer.LPAREN) && set.contains(WganLexer.IDENT)
        && set.contains(WganLexer.INT) && set.contains(WganLexer.MINUS);
    if (expressionStart) {
      for (int t : new int[] {WganLexer.LPAREN, WganLexer.IDENT, WganLexer.INT, WganLexer.FLOAT, WganLexer.MINUS,
          WganLexer.PLUS, WganLexer.LBRACK}) names.remove(tokenName(t));
      names.add("<expression>");
    }
    return new ArrayList<>(names);
  }

  static String tokenName(int type) {
    return switch (type) {
      case Token.EOF -> "end of file";
      case WganLexer.IDENT -> "<name>";
      case WganLexer.INT -> "<integer>";
      case WganLexer.FLOAT -> "<number>";
      case WganLexer.STRING -> "<string>";
      default -> {
        String lit = WganLexer.VOCABULARY.getLiteralName(type);
        yield lit == null ? WganLexer.VOCABULARY.getSymbolicName(type) : "`" + lit.substring(1, lit.length() - 1) + "`";
      }
    };
  }
}
