// The API-level check of scripts/build-apk.sh: every java.* and android.* class, method and field
// the app's own classes use must exist at Android API 24 (the minSdk), judged by animal-sniffer
// against the Android API 24 signature (net.sf.androidscents.signature:android-api-level-24).
// kotlinc here compiles against JDK 17, so without this a Java 9+ library call (List.of, ...) would
// compile, pass Robolectric, and crash a terminal.
//
// Usage: java -cp <animal-sniffer + asm> ApiCheck.java <signature> <classes dir/jar>... -- <dependency jar/dir>...
// Classes of the checked trees and of the dependencies count as known (they ship in the APK).
// Exit status 1 and one line per violation when anything is missing.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.codehaus.mojo.animal_sniffer.ClassListBuilder;
import org.codehaus.mojo.animal_sniffer.SignatureChecker;
import org.codehaus.mojo.animal_sniffer.logging.Logger;

public class ApiCheck {
    public static void main(String[] args) throws Exception {
        File signature = new File(args[0]);
        List<File> checked = new ArrayList<>();
        List<File> deps = new ArrayList<>();
        boolean inDeps = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--")) { inDeps = true; continue; }
            (inDeps ? deps : checked).add(new File(args[i]));
        }
        AtomicInteger errors = new AtomicInteger();
        PrintStream out = System.out;
        Logger logger = new Logger() {
            public void info(String m) {}
            public void info(String m, Throwable t) {}
            public void debug(String m) {}
            public void debug(String m, Throwable t) {}
            public void warn(String m) { out.println("warning: " + m); }
            public void warn(String m, Throwable t) { out.println("warning: " + m); }
            public void error(String m) { errors.incrementAndGet(); out.println("API 24 violation: " + m); }
            public void error(String m, Throwable t) { error(m); }
        };
        ClassListBuilder known = new ClassListBuilder(logger);
        for (File f : checked) known.process(f);
        for (File f : deps) known.process(f);
        Set<String> ignored = known.getPackages();
        SignatureChecker checker;
        try (InputStream in = new FileInputStream(signature)) {
            checker = new SignatureChecker(in, ignored, logger);
        }
        checker.setCheckJars(true);
        checker.setSourcePath(new ArrayList<>());
        // @IgnoreJRERequirement marks a call the code guards itself (none in this project today).
        checker.setAnnotationTypes(List.of("org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement"));
        for (File f : checked) checker.process(f);
        out.println("api-check: " + errors.get() + " violation(s) in " + checked.size() + " tree(s) against " + signature.getName());
        System.exit(checker.isSignatureBroken() || errors.get() > 0 ? 1 : 0);
    }
}
