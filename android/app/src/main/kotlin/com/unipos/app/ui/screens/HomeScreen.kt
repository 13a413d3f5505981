package com.unipos.app.ui.screens

import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.cashier.AmountEntry
import com.unipos.app.cashier.Money
import com.unipos.app.cashier.Txn
import com.unipos.app.ui.Flows
import com.unipos.app.ui.Key
import com.unipos.app.ui.Look
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Ui
import com.unipos.app.ui.keypad
import com.unipos.core.PosResult
import com.unipos.core.ffi.Unresolved

/**
 * 首页: the amount in large type, keyed on the on-screen keypad (fen-exact, at most
 * 9,999,999.99), and the payment choice: card (insert, tap, swipe), scan the customer's code,
 * show the merchant's code. A banner tells what is unresolved before a new sale.
 */
class HomeScreen(
    private val entry: AmountEntry = AmountEntry(),
    /** What the engine has not resolved (null: not loaded yet). */
    var unresolved: Unresolved? = null,
) : Screen() {
    override val title = R.string.app_name
    private var notice: Int? = null

    override fun onShown() {
        desk.desk({ d -> d.currentOperator() }) { r ->
            if (!isCurrent) return@desk
            val op = (r as? PosResult.Success)?.value
            if (r is PosResult.Success && op == null) {
                nav.resetTo(SignInScreen())
                return@desk
            }
            nav.operator = op?.number
        }
        desk.desk({ d -> d.unresolved() }) { r ->
            if (!isCurrent) return@desk
            unresolved = (r as? PosResult.Success)?.value
            refresh()
        }
    }

    override fun build(ui: Ui): View {
        val amount = ui.card(
            ui.row(
                notice?.let { ui.label(it, color = R.color.warning, bold = true) } ?: ui.label(R.string.home_amount_label, color = R.color.text_secondary),
                ui.button(R.string.action_clear, Look.QUIET) { entry.clear(); notice = null; refresh() }.apply {
                    // 48dp, not a main button's 56: the keys need the height on a 640dp screen.
                    minHeight = ui.px(R.dimen.touch_min)
                    minimumHeight = ui.px(R.dimen.touch_min)
                    setPadding(0, 0, 0, 0)
                },
            ),
            ui.text(ui.str(R.string.amount_yuan, Money.yuan(entry.fen)), size = R.dimen.text_amount, bold = true).apply {
                gravity = Gravity.END
                maxLines = 1
            },
        )
        val pay = ui.row(
            ui.button(R.string.pay_card) { pay(Txn.Sale(entry.fen)) },
            ui.button(R.string.pay_scan) { pay(Txn.QrScan(entry.fen)) },
            ui.button(R.string.pay_show_code) { pay(Txn.QrShow(entry.fen)) },
        )
        val content = LinearLayout(ui.activity).apply {
            orientation = LinearLayout.VERTICAL
            val p = ui.px(R.dimen.gap)
            setPadding(p, p, p, p)
        }
        fun add(v: View, weight: Float = 0f) = content.addView(v, LinearLayout.LayoutParams(
            ViewGroup.LayoutParams.MATCH_PARENT, if (weight > 0) 0 else ViewGroup.LayoutParams.WRAP_CONTENT, weight,
        ).apply { if (content.childCount > 0) topMargin = ui.px(R.dimen.gap_small) })
        unresolvedBanner(ui)?.let { add(it) }
        add(amount)
        add(ui.keypad(::key), 1f)
        add(pay)
        add(ui.row(
            ui.button(R.string.action_menu, Look.SECONDARY) { nav.push(MenuScreen()) },
            // The debug build's simulated card reader (never in a picture: it is not a product key).
            (if (nav.live) desk.testCards else null)?.let { cards -> ui.button(R.string.action_test_card, Look.QUIET) { cards.presentTestCard() } },
        ))
        return content
    }

    private fun unresolvedBanner(ui: Ui): View? {
        val u = unresolved ?: return null
        val n = u.pendingReversals.size + u.parkedReversals.size + u.openQr.size + u.qrResults.size
        if (n == 0) return null
        return ui.banner(ui.res.getQuantityString(R.plurals.home_unresolved, n, n), R.color.unknown, R.color.unknown_bg) {
            nav.push(UnresolvedScreen(u))
        }.apply {
            val p = ui.px(R.dimen.gap)
            val v = ui.px(R.dimen.gap_small)
            setPadding(p, v, p, v)
        }
    }

    private fun key(k: Key) {
        when (k) {
            is Key.Digits -> if (!entry.key(k.digits)) notice = R.string.home_amount_max
            Key.Delete -> { entry.backspace(); notice = null }
        }
        refresh()
    }

    private fun pay(txn: Txn) {
        if (entry.fen <= 0) { notice = R.string.home_enter_amount; refresh(); return }
        entry.clear()
        Flows.run(nav, txn)
    }
}
