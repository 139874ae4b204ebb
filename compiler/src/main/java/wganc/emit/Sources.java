package wganc.emit;

import com.palantir.javapoet.JavaFile;
import java.util.List;
import java.util.Map;
import wganc.runtime.train.ModelSpec;

/**
 * A backend's generated sources of a model: its files by class name (one per phase, then whatever
 * else the backend needs), the spec, the phases' names in order and each phase's reads and writes.
 */
public record Sources(ModelSpec spec, List<String> phaseNames, Map<String, JavaFile> files, Map<String, Codegen.Io> io) {
  /** The phase classes among the files, in order: by convention the only classes named {@code *Phase}. */
  public List<String> phaseClasses() {
    return files.keySet().stream().filter(name -> name.endsWith("Phase")).toList();
  }
}
