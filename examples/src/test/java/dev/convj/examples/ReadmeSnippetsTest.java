package dev.convj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convj.dsl.Network;
import dev.convj.graph.Graph;
import dev.convj.runtime.train.Trainer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every Java block of README.md compiles as pasted (each is a whole program, imports included), the tour runs, and
 * the pom.xml it gives a user's project is well-formed and names this build's artifacts and version.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "README.md");

    private static List<String> blocks(String language) throws Exception {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyJavaBlockCompilesAndTheTourRuns(@TempDir Path dir) throws Exception {
        List<String> java = blocks("java");
        assertTrue(java.size() >= 2, "the tour and the library program");
        List<String> files = new ArrayList<>();
        Pattern className = Pattern.compile("public class (\\w+)");
        for (String block : java) {
            Matcher m = className.matcher(block);
            assertTrue(m.find(), "each Java block of the README is a whole program:\n" + block);
            Path src = dir.resolve(m.group(1) + ".java");
            Files.writeString(src, block);
            files.add(src.toString());
        }
        Set<String> classpath = new LinkedHashSet<>();
        for (Class<?> c : List.of(Network.class, Trainer.class, Graph.class)) {
            classpath.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        classpath.addAll(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-classpath", String.join(File.pathSeparator, classpath), "-d",
                dir.toString()));
        args.addAll(files);
        assertEquals(0, javac.run(null, null, diagnostics, args.toArray(new String[0])), diagnostics.toString());

        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("Tour").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("61,706"), out);
        assertTrue(out.contains("∇"), "gradient nodes in the text dump");
        assertTrue(out.contains("conv1.weight") && !out.contains("FAIL"), out);
    }

    @Test
    void theUsersPomNamesThisBuildsArtifactsAndVersion() throws Exception {
        List<String> xml = blocks("xml");
        assertEquals(1, xml.size(), "one pom.xml in the README");
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.get(0).getBytes(StandardCharsets.UTF_8)));
        Document ours = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("..", "pom.xml")
                .toFile());
        String version = ((Element) ours.getDocumentElement().getElementsByTagName("version").item(0))
                .getTextContent();
        assertEquals("project", pom.getDocumentElement().getTagName());
        assertEquals("17", pom.getElementsByTagName("maven.compiler.release").item(0).getTextContent());
        NodeList deps = pom.getElementsByTagName("dependency");
        List<String> artifacts = new ArrayList<>();
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.convj", d.getElementsByTagName("groupId").item(0).getTextContent());
            assertEquals(version, d.getElementsByTagName("version").item(0).getTextContent());
            artifacts.add(d.getElementsByTagName("artifactId").item(0).getTextContent());
            assertTrue(Files.isDirectory(Path.of("..", artifacts.get(i).replace("convj-", ""))),
                    artifacts.get(i) + " is a module of this build");
        }
        assertEquals(List.of("convj-dsl", "convj-runtime"), artifacts);
    }
}
