package dev.convj.examples.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code convj lesson NAME [ARGS…]}: runs one of the example programs with the launcher's JVM options. */
@Command(name = "lesson", mixinStandardHelpOptions = true,
        description = "Run a lesson: Lesson01LeNet5, Lesson02SmallVgg, Lesson03EdgeDetection, Lesson04StrongPrior, "
                + "Lesson05GradientCheck, Lesson06Autoencoder (or its number: 1-6); further arguments go to it.")
final class LessonCommand implements Callable<Integer> {
    static final List<String> LESSONS = List.of("Lesson01LeNet5", "Lesson02SmallVgg", "Lesson03EdgeDetection",
            "Lesson04StrongPrior", "Lesson05GradientCheck", "Lesson06Autoencoder");

    @Parameters(index = "0", description = "The lesson's name or number.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", description = "Arguments for the lesson.")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String lesson = resolve(name);
        Method main = Class.forName("dev.convj.examples.lessons." + lesson).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args.toArray(new String[0]));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
        return 0;
    }

    static String resolve(String name) {
        for (int i = 0; i < LESSONS.size(); i++) {
            String l = LESSONS.get(i);
            if (l.equalsIgnoreCase(name) || name.equals(Integer.toString(i + 1))
                    || l.toLowerCase(Locale.ROOT).endsWith(name.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("no lesson " + name + ": use one of " + String.join(", ", LESSONS)
                + " or its number");
    }
}
