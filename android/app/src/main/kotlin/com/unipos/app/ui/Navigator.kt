package com.unipos.app.ui

import android.view.View
import android.view.ViewGroup
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.UniPosApplication
import com.unipos.app.cashier.CashierDesk

/**
 * One screen of the cashier app: a view built from its own state (so a picture of it can be taken
 * from fixed data), and what it loads when shown live ([onShown]).
 */
abstract class Screen {
    lateinit var nav: Navigator
        internal set

    /** The bar's title. */
    abstract val title: Int

    /** Built anew each time the screen is shown or refreshed. */
    abstract fun build(ui: Ui): View

    /** Called once when the screen becomes current in the live app (loads, starts a job). */
    open fun onShown() {}

    /** Whether the back key may leave it (false while a transaction runs). */
    open val canGoBack: Boolean get() = true

    /** Whether this is still the screen on top (late results of a screen left behind are dropped). */
    val isCurrent: Boolean get() = ::nav.isInitialized && nav.current === this

    val ui: Ui get() = nav.ui
    val desk: CashierDesk get() = nav.desk

    /** Rebuilds the view from the current state (if still on top). */
    fun refresh() { if (isCurrent) nav.render() }
}

/**
 * The screen stack of [CashierActivity]: the bar (title, back, signed-in operator) over the
 * current screen. [live] is false when screens are shown from fixed data (pictures): nothing is
 * loaded then.
 */
class Navigator(val activity: android.app.Activity, val live: Boolean = true) {
    val ui = Ui(activity)
    val desk: CashierDesk get() = (activity.application as UniPosApplication).desk
    private val stack = ArrayList<Screen>()
    private var attached = true
    val current: Screen? get() = if (attached) stack.lastOrNull() else null

    /** No longer shown: what its screens load later is dropped. */
    fun detach() { attached = false }

    /** The signed-in operator's number, shown in the bar (null: nobody). */
    var operator: String? = null
        set(v) { field = v; render() }

    fun push(s: Screen) = show { stack += s; s }
    fun replace(s: Screen) = show { stack.removeLastOrNull(); stack += s; s }
    fun resetTo(s: Screen) = show { stack.clear(); stack += s; s }

    /** Back to the first screen below the top that matches [keep] (the home screen if none). */
    fun popTo(keep: (Screen) -> Boolean) {
        while (stack.size > 1 && !keep(stack.last())) stack.removeAt(stack.size - 1)
        render()
        current?.let { if (live) it.onShown() }
    }

    /** Leaves the current screen if it allows; false when there is nothing below. */
    fun back(): Boolean {
        val top = current ?: return false
        if (!top.canGoBack) return true
        if (stack.size <= 1) return false
        stack.removeAt(stack.size - 1)
        render()
        current?.let { if (live) it.onShown() }
        return true
    }

    private fun show(change: () -> Screen) {
        val s = change()
        s.nav = this
        render()
        if (live) s.onShown()
    }

    fun render() {
        if (!attached) return
        val s = current ?: return
        val root = LinearLayout(activity).apply {
            orientation = LinearLayout.VERTICAL
            setBackgroundColor(ui.color(R.color.background))
        }
        root.addView(bar(s), LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ui.px(R.dimen.bar_height)))
        root.addView(s.build(ui), LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1f))
        activity.setContentView(root)
    }

    private fun bar(s: Screen): View {
        val back = if (stack.size > 1 && s.canGoBack) {
            ui.buttonText(ui.str(R.string.action_back), Look.PRIMARY) { back() }.apply {
                setPadding(0, 0, 0, 0)
                minWidth = ui.px(R.dimen.touch_min)
            }
        } else null
        val op = operator?.let { ui.label(R.string.bar_operator, it, size = R.dimen.text_small, color = R.color.text_on_brand) }
        return ui.bar(ui.str(s.title), back, op)
    }
}
