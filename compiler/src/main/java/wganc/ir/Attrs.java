package wganc.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Static attributes of an application, sorted by key so that equal attributes print and compare
 * equal. Values are {@link Integer}, {@link Long} (only when outside the int range), {@link Double},
 * {@link Boolean} or an immutable {@code List<Integer>}.
 */
public record Attrs(SortedMap<String, Object> map) {
  public static final Attrs NONE = new Attrs(new TreeMap<>());

  public Attrs {
    TreeMap<String, Object> copy = new TreeMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      copy.put(e.getKey(), normalize(e.getKey(), e.getValue()));
    }
    map = Collections.unmodifiableSortedMap(copy);
  }

  /** {@code Attrs.of("axes", List.of(1, 2), "keepdims", true)}. */
  public static Attrs of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("odd number of key/value arguments");
    }
    TreeMap<String, Object> m = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return new Attrs(m);
  }

  public Attrs with(String key, Object value) {
    TreeMap<String, Object> m = new TreeMap<>(map);
    m.put(key, value);
    return new Attrs(m);
  }

  public boolean has(String key) {
    return map.containsKey(key);
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  private Object get(String key) {
    Object v = map.get(key);
    if (v == null) {
      throw new IrException("missing attribute `" + key + "`");
    }
    return v;
  }

  public int i(String key) {
    if (get(key) instanceof Integer v) {
      return v;
    }
    throw new IrException("attribute `" + key + "` is not an int: " + get(key));
  }

  public long l(String key) {
    return switch (get(key)) {
      case Integer v -> v;
      case Long v -> v;
      default -> throw new IrException("attribute `" + key + "` is not an integer: " + get(key));
    };
  }

  public double d(String key) {
    return switch (get(key)) {
      case Double v -> v;
      case Integer v -> v;
      default -> throw new IrException("attribute `" + key + "` is not a number: " + get(key));
    };
  }

  public boolean b(String key, boolean fallback) {
    Object v = map.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean bool) {
      return bool;
    }
    throw new IrException("attribute `" + key + "` is not a boolean: " + v);
  }

  @SuppressWarnings("unchecked")
  public List<Integer> ints(String key) {
    if (get(key) instanceof List<?> list) {
      return (List<Integer>) list;
    }
    throw new IrException("attribute `" + key + "` is not an int list: " + get(key));
  }

  public int[] intArray(String key) {
    return ints(key).stream().mapToInt(Integer::intValue).toArray();
  }

  private static Object normalize(String key, Object v) {
    return switch (v) {
      case Integer i -> i;
      case Long l -> (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) ? (Object) l.intValue() : l;
      case Double d -> d;
      case Float f -> f.doubleValue();
      case Boolean b -> b;
      case int[] arr -> {
        List<Integer> list = new ArrayList<>();
        for (int x : arr) {
          list.add(x);
        }
        yield List.copyOf(list);
      }
      case List<?> list -> {
        for (Object o : list) {
          if (!(o instanceof Integer)) {
            throw new IllegalArgumentException("attribute `" + key + "`: lists hold ints only");
          }
        }
        yield List.copyOf(list);
      }
      default -> throw new IllegalArgumentException(
          "attribute `" + key + "`: unsupported value " + v.getClass().getSimpleName());
    };
  }

  /** The text form {@code {axes=[1,2], keepdims=true}}, or the empty string. */
  @Override
  public String toString() {
    if (map.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Object> e : map.entrySet()) {
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(e.getKey()).append('=');
      if (e.getValue() instanceof List<?> list) {
        sb.append('[');
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          sb.append(list.get(i));
        }
        sb.append(']');
      } else {
        sb.append(e.getValue());
      }
    }
    return sb.append('}').toString();
  }
}
