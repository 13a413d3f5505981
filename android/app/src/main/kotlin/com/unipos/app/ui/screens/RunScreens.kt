package com.unipos.app.ui.screens

import android.graphics.BitmapFactory
import android.os.Handler
import android.os.Looper
import android.view.Gravity
import android.view.View
import android.widget.ImageView
import android.widget.LinearLayout
import com.unipos.app.R
import com.unipos.app.cashier.Money
import com.unipos.app.ui.Look
import com.unipos.app.ui.Screen
import com.unipos.app.ui.Stage
import com.unipos.app.ui.Ui
import com.unipos.core.ffi.ProgressEvent
import com.unipos.core.ffi.QrDynamicCode

/**
 * While a job runs: the engine's stage in words (the card prompt, the PIN prompt handed to the PIN
 * pad, online, printing, reversing, batch upload n of m, the customer confirming in the wallet).
 * Cancel is there while the terminal waits for the card (afterwards the host may have it) and
 * while the customer confirms a scanned code in the wallet: the engine then reverses it, but never
 * before the channel allows, so the screen says so and stays until the engine's answer.
 */
class ProgressScreen(
    override val title: Int,
    private val amount: Long?,
    var stage: Stage,
    /** Batch upload: the record being sent and how many. */
    var upload: Pair<Int, Int>? = null,
) : Screen() {
    /** The cashier pressed Cancel while the customer was confirming: the engine is reversing. */
    var cancelling = false
    override val canGoBack get() = false

    fun onEvent(e: ProgressEvent) {
        stage = Stage.of(e, stage)
        if (e is ProgressEvent.BatchUpload) upload = e.record to e.total
        refresh()
    }

    override fun build(ui: Ui): View {
        val prompt = when (stage) {
            Stage.UPLOADING -> ui.str(R.string.stage_uploading, upload?.first ?: 0, upload?.second ?: 0)
            else -> ui.str(stage.text)
        }
        val cancel = when {
            stage == Stage.CARD -> ui.button(R.string.action_cancel, Look.DANGER) { desk.cancelWait() }
            stage == Stage.CUSTOMER_CONFIRMING && !cancelling ->
                ui.button(R.string.action_cancel, Look.DANGER) { cancelling = true; desk.cancelWait(); refresh() }
            stage == Stage.CUSTOMER_CONFIRMING ->
                ui.label(R.string.qr_cancelling, color = R.color.warning, bold = true).apply { gravity = Gravity.CENTER }
            else -> null
        }
        return ui.column(
            amount?.let { ui.text(ui.str(R.string.amount_yuan, Money.yuan(it)), size = R.dimen.text_result_amount, bold = true).apply { gravity = Gravity.CENTER } },
            ui.text(prompt, size = R.dimen.text_result, color = R.color.brand, bold = true).apply { gravity = Gravity.CENTER },
            stage.hint?.let { ui.label(it, color = R.color.text_secondary).apply { gravity = Gravity.CENTER } },
            ui.label(R.string.stage_do_not_leave, size = R.dimen.text_small, color = R.color.text_secondary).apply { gravity = Gravity.CENTER },
            cancel,
        ).let { c ->
            c.gravity = Gravity.CENTER_VERTICAL
            ui.scroll(c)
        }
    }
}

/**
 * The merchant's dynamic code (收款码) for the customer to scan, with the time left before the
 * engine closes the order, and what the engine is doing ("waiting for the customer to confirm"
 * while the wallet asks for a password). Cancel (the customer pays another way) asks the engine to
 * close the order now; the screen stays until the engine answers, which is "paid" if the customer
 * paid just before the close.
 */
class QrShowScreen(
    override val title: Int,
    private val code: QrDynamicCode,
    /** How long the engine keeps the code open (its deadline, ms). */
    val deadlineMs: Long,
    private val now: () -> Long = System::currentTimeMillis,
    private var stage: Stage = Stage.QR_SHOWN,
) : Screen() {
    private val shownAt = now()
    /** The cashier pressed Cancel: the engine is closing the order. */
    var cancelling = false
    private val ticker = Handler(Looper.getMainLooper())
    override val canGoBack get() = false

    fun onEvent(e: ProgressEvent) {
        val next = Stage.of(e, stage)
        // Queries while the code is shown are the normal wait, not news for the cashier.
        stage = if (next == Stage.QR_ONLINE) stage else next
        refresh()
    }

    override fun onShown() {
        ticker.postDelayed(object : Runnable {
            override fun run() { if (isCurrent) { refresh(); ticker.postDelayed(this, 1_000) } }
        }, 1_000)
    }

    override fun build(ui: Ui): View {
        val left = ((deadlineMs - (now() - shownAt)).coerceAtLeast(0) + 999) / 1000
        val bitmap = BitmapFactory.decodeByteArray(code.png, 0, code.png.size)
        val side = minOf(ui.res.displayMetrics.widthPixels - 4 * ui.px(R.dimen.gap), ui.dp(300))
        val image = ImageView(ui.activity).apply {
            setImageBitmap(bitmap)
            scaleType = ImageView.ScaleType.FIT_CENTER
            adjustViewBounds = true
            setBackgroundColor(ui.color(R.color.surface))
        }
        val box = LinearLayout(ui.activity).apply {
            gravity = Gravity.CENTER
            addView(image, LinearLayout.LayoutParams(side, side))
        }
        val content = ui.column(
            ui.text(ui.str(R.string.amount_yuan, Money.yuan(code.outcome.amount)), size = R.dimen.text_result_amount, bold = true).apply { gravity = Gravity.CENTER },
            ui.label(R.string.qr_show_scan, color = R.color.text).apply { gravity = Gravity.CENTER },
            box,
            ui.text(ui.str(stage.text), size = R.dimen.text_title, color = R.color.brand, bold = true).apply { gravity = Gravity.CENTER },
            ui.label(R.string.qr_show_countdown, left.toInt(), color = R.color.text_secondary).apply { gravity = Gravity.CENTER },
            if (cancelling) {
                ui.label(R.string.qr_show_closing, color = R.color.warning, bold = true).apply { gravity = Gravity.CENTER }
            } else {
                ui.button(R.string.action_cancel, Look.DANGER) { cancelling = true; desk.cancelWait(); refresh() }
            },
        )
        return ui.scroll(content)
    }
}
