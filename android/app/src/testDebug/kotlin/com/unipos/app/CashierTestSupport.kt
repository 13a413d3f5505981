package com.unipos.app

import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import com.unipos.app.ui.CashierActivity
import com.unipos.app.ui.Screen
import com.unipos.core.PosResult
import com.unipos.core.ffi.GuardedAction
import kotlinx.coroutines.runBlocking
import org.robolectric.Robolectric
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController

/** Passwords the cashier tests use. */
object Passwords {
    const val FACTORY = "123456"
    const val SUPERVISOR = "864209"
    const val OPERATOR = "1111"
}

/**
 * The terminal's operators as a test needs them, through the engine (not the screens): the
 * supervisor's factory password changed, operator 01 added and signed in. Idempotent.
 */
fun TestApp.operatorSignedIn(number: String = "01") {
    val r = runtime.withCore { core ->
        runBlocking {
            val d = core.desk
            val all = d.operators().getOrThrow()
            if (all.first { it.isSupervisor }.mustChangePassword) d.changePassword("00", Passwords.FACTORY, Passwords.SUPERVISOR).getOrThrow()
            if (all.none { it.number == number }) {
                val g = d.authorizeSupervisor(Passwords.SUPERVISOR, GuardedAction.OPERATOR_MANAGEMENT).getOrThrow()
                d.addOperator(g.token, number, Passwords.OPERATOR).getOrThrow()
            }
            d.signIn(number, Passwords.OPERATOR)
        }
    }.get()
    check(r is PosResult.Success) { "operator sign-in failed: $r" }
}

/** Drives the cashier app as a cashier would: taps what is on the screen, reads what it says. */
class CashierDriver(val controller: ActivityController<CashierActivity>) {
    val activity: CashierActivity get() = controller.get()
    val current: Screen? get() = activity.navigator.current

    fun str(id: Int, vararg args: Any): String = if (args.isEmpty()) activity.getString(id) else activity.getString(id, *args)

    fun idle() { shadowOf(Looper.getMainLooper()).idle() }

    /** Idles the main looper until [cond] holds (the engine works on its own threads meanwhile). */
    fun until(what: String, timeoutMs: Long = 40_000, cond: () -> Boolean) {
        val end = System.currentTimeMillis() + timeoutMs
        while (true) {
            idle()
            if (cond()) return
            check(System.currentTimeMillis() < end) { "timed out waiting for $what; the screen shows: ${texts()}" }
            Thread.sleep(15)
        }
    }

    inline fun <reified T : Screen> waitFor(timeoutMs: Long = 40_000): T {
        until("screen ${T::class.java.simpleName}", timeoutMs) { current is T }
        return current as T
    }

    private fun views(v: View = activity.window.decorView, out: MutableList<View> = ArrayList()): List<View> {
        if (v.visibility != View.VISIBLE) return out
        out += v
        if (v is ViewGroup) for (i in 0 until v.childCount) views(v.getChildAt(i), out)
        return out
    }

    /** Every text on the screen. */
    fun texts(): List<String> = views().filterIsInstance<TextView>().filter { it !is EditText }.map { it.text.toString() }

    fun shows(text: String): Boolean = texts().any { it.contains(text) }

    fun shows(id: Int, vararg args: Any): Boolean = shows(str(id, *args))

    /** Taps the button (or the tappable row) showing exactly [text]; buttons first. */
    fun tap(text: String) {
        val all = views().filterIsInstance<TextView>().filter { it.text.toString() == text }
        val target: View = all.firstOrNull { it is Button } ?: all.firstOrNull() ?: error("nothing shows \"$text\"; the screen shows: ${texts()}")
        var v = target
        while (!v.isClickable && v.parent is View) v = v.parent as View
        v.performClick()
        idle()
    }

    fun tap(id: Int, vararg args: Any) = tap(str(id, *args))

    /** Taps the tappable row that contains [text] (journal and order lists). */
    fun tapRowWith(text: String) {
        val tv = views().filterIsInstance<TextView>().firstOrNull { it.text.toString().contains(text) && it !is Button }
            ?: error("no row shows \"$text\"; the screen shows: ${texts()}")
        var v: View = tv
        while (!v.isClickable && v.parent is View) v = v.parent as View
        v.performClick()
        idle()
    }

    /** Types [digits] on the on-screen keypad. */
    fun keys(digits: String) = digits.forEach { tap(it.toString()) }

    /** Types into the input whose hint is [hint]. */
    fun type(hint: Int, value: String) {
        val h = str(hint)
        val e = views().filterIsInstance<EditText>().firstOrNull { it.hint?.toString() == h } ?: error("no input \"$h\"")
        e.setText(value)
        idle()
    }

    companion object {
        fun launch(): CashierDriver = CashierDriver(Robolectric.buildActivity(CashierActivity::class.java).setup()).also { it.idle() }
    }
}
