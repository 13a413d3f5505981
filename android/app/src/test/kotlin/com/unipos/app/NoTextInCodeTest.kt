package com.unipos.app

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * Every text the cashier reads comes from resources (res/values/ Chinese, res/values-en/
 * English): the app's Kotlin holds none. Scans the sources (-Dunipos.src = android/app/src/main,
 * plus src/debug and src/release beside it) with comments removed:
 *  - no string literal anywhere contains Chinese (annotation arguments are not texts);
 *  - in the screens (ui/), no literal is handed to a widget's text (text, label, button, banner,
 *    setText, setHint, Toast) and no literal reads as prose (two words or more), except the
 *    engine's own names that the screens match on (listed below, each with why).
 */
class NoTextInCodeTest {
    private val main = File(System.getProperty("unipos.src") ?: "android/app/src/main")
    private val roots = listOf(main, File(main.parentFile, "debug"), File(main.parentFile, "release"))

    /** Literals that are the engine's names for things (compared with, never shown). */
    private val engineNames = setOf(
        "domestic debit", "domestic credit", "foreign debit", "foreign credit", // settlement card totals
    )

    private val cjk = Regex("[\\u3400-\\u9FFF\\uFF00-\\uFFEF\\u3000-\\u303F]")
    private val prose = Regex("[A-Za-z]{2,}[ ,.:;!?]+[A-Za-z]{2,}")
    private val widgetText = Regex("""\b(?:text|label|buttonText|banner|setText|setHint|makeText|setTitle|setMessage)\(\s*("(?:\\.|[^"\\])*")""")
    /** Format patterns ("%06d") and string templates hold no words of their own. */
    private val notWords = Regex("""%[-#+ 0,(]*\d*(?:\.\d+)?[a-zA-Z]|\$\{[^}]*\}|\$\w+""")
    private val word = Regex("""[A-Za-z\u3400-\u9FFF]{2,}""")
    private val literal = Regex(""""(?:\\.|[^"\\])*"""")
    private val annotation = Regex("""@\w+\((?:[^()"]|"(?:\\.|[^"\\])*")*\)""")

    /** The source without comments (line, block and KDoc), string literals kept. */
    private fun code(src: String): String {
        val out = StringBuilder()
        var i = 0
        while (i < src.length) {
            val c = src[i]
            when {
                c == '"' -> { // copy a literal whole (a "//" inside it is not a comment)
                    val end = literal.find(src, i)?.takeIf { it.range.first == i }?.range?.last ?: i
                    out.append(src, i, end + 1); i = end + 1
                }
                src.startsWith("//", i) -> { while (i < src.length && src[i] != '\n') i++ }
                src.startsWith("/*", i) -> { // keep its line breaks: the line numbers stay right
                    val e = src.indexOf("*/", i + 2).let { if (it < 0) src.length else it + 2 }
                    out.append("\n".repeat(src.substring(i, e).count { it == '\n' })); i = e
                }
                else -> { out.append(c); i++ }
            }
        }
        // Annotation arguments (@Deprecated("why"), @Suppress("...")) are for the compiler.
        return annotation.replace(out.toString(), "@")
    }

    private fun problems(name: String, src: String, screen: Boolean): List<String> {
        val body = code(src)
        val found = ArrayList<String>()
        body.lines().forEachIndexed { n, line ->
            for (m in literal.findAll(line)) {
                val text = m.value.drop(1).dropLast(1)
                val where = "$name:${n + 1}: ${m.value}"
                if (cjk.containsMatchIn(text)) found += "Chinese text in code, $where"
                if (screen && prose.containsMatchIn(text.replace(Regex("\\$\\{[^}]*\\}|\\$\\w+"), "")) && text !in engineNames) {
                    found += "prose in a screen, $where"
                }
            }
            if (screen) for (w in widgetText.findAll(line)) {
                if (word.containsMatchIn(notWords.replace(w.groupValues[1], ""))) found += "a literal shown on a widget, $name:${n + 1}: ${line.trim()}"
            }
        }
        return found
    }

    @Test fun the_scanner_catches_what_it_must() {
        val bad = "fun f() {\n  ui.text(\"Approved\")\n  val s = \"交易成功\"\n  val t = \"Please insert the card\"\n}\n"
        assertEquals(3, problems("Sample.kt", bad, screen = true).size)
        val fine = "ui.text(\"\")\nui.text(\"%06d\".format(t))\n// \"交易成功\" in a comment\n/** \"Please insert\" */\nval f = \"%06d\"\nval k = \"terminal_id\"\nval u = \"https://x//y\"\n@Deprecated(\"Platform back handling\")\n"
        assertEquals(emptyList<String>(), problems("Sample.kt", fine, screen = true))
    }

    @Test fun no_user_facing_text_in_kotlin() {
        val files = roots.filter { it.isDirectory }.flatMap { r -> r.walkTopDown().filter { it.isFile && it.extension == "kt" }.toList() }
        assertTrue("sources not found under $main", files.size > 20)
        val found = files.flatMap { f ->
            val screen = f.invariantSeparatorsPath.contains("/com/unipos/app/ui/")
            problems(f.relativeTo(main.parentFile).path, f.readText(), screen)
        }
        assertEquals("user-facing text belongs in res/values*/strings.xml:\n" + found.joinToString("\n"), emptyList<String>(), found)
    }
}
