package com.unipos.app.ui

import android.app.Activity
import android.content.Intent
import android.graphics.BitmapFactory
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.text.InputType
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import com.unipos.app.UniPosApplication
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransRequest
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.sdk.TransType

/**
 * The cashier's launcher screen: amount entry, payment method, then progress (card and PIN prompts,
 * QR code) and the result; plus the transaction list, settlement and sign-in. Before a new sale it
 * shows what the engine has not resolved yet (a pending or parked reversal, an open QR order).
 */
class CashierActivity : Activity(), TransactionDispatcher.Listener {
    private val main = Handler(Looper.getMainLooper())
    private val dispatcher get() = (application as UniPosApplication).runtime.dispatcher
    private val hardware get() = (application as UniPosApplication).runtime.hardware
    private lateinit var pending: TextView
    private lateinit var amount: EditText
    private lateinit var panel: ProgressPanel
    private lateinit var status: TextView
    private var currentId: String? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        pending = text("", 14f)
        status = text("", 16f)
        amount = EditText(this).apply {
            hint = "amount, e.g. 12.50"
            inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_DECIMAL
        }
        panel = ProgressPanel(this) { currentId?.let { dispatcher.cancel(CallerPolicy.OWN_SCOPE, it) } }
        val methods = LinearLayout(this).apply {
            addView(button("Card") { pay(PayMethod.CARD) })
            addView(button("Scan code") { pay(PayMethod.QR_SCAN) })
            addView(button("Show code") { pay(PayMethod.QR_SHOW) })
        }
        val menu = LinearLayout(this).apply {
            addView(button("Transactions") { startActivity(Intent(this@CashierActivity, JournalActivity::class.java)) })
            addView(button("Settlement") { run(Requests.settlement(Requests.newRequestId())) })
            addView(button("Sign in") { run(Requests.signIn(Requests.newRequestId())) })
        }
        val simulated = hardware?.testCards?.let { sim -> button("Present test card") { sim.presentTestCard() } }
        setContentView(column(*listOfNotNull(pending, amount, methods, panel.view, simulated, status, menu).toTypedArray()))
        dispatcher.addListener(this)
    }

    override fun onResume() {
        super.onResume()
        showUnresolved()
    }

    override fun onDestroy() {
        dispatcher.removeListener(this)
        super.onDestroy()
    }

    /** Pending reversals and open QR orders are shown before any new sale. */
    private fun showUnresolved() = Thread {
        val open = runCatching { dispatcher.unresolved().get() }.getOrDefault(emptyList())
        main.post {
            pending.text = if (open.isEmpty()) "" else "Unresolved before new sales:\n" +
                open.joinToString("\n") { "• ${it.kindName} ${fen(it.amount)} trace ${it.trace}: ${it.status} — ${it.message}" }
        }
    }.start()

    private fun pay(method: Int) {
        val fen = parseFen(amount.text.toString()) ?: return run { status.text = "enter an amount" }
        run(Requests.sale(Requests.newRequestId(), fen, method))
    }

    private fun run(request: TransRequest) {
        currentId = request.requestId
        // start() writes the request to disk: not on the main thread.
        dispatcher.startInBackground(CallerPolicy.OWN_SCOPE, request) { start -> main.post {
            if (start.errorCode == ErrorCodes.OK) {
                status.text = ""
            } else {
                if (currentId == request.requestId) currentId = null
                status.text = "not started: ${start.message}"
            }
        } }
    }

    override fun onProgress(scope: String, requestId: String, stage: Int, message: String) {
        if (scope == CallerPolicy.OWN_SCOPE && requestId == currentId || scope == TransactionDispatcher.SYSTEM_SCOPE) {
            main.post { panel.show(message) }
        }
    }

    override fun onQrCode(scope: String, requestId: String, codeUrl: String, png: ByteArray) {
        if (scope == CallerPolicy.OWN_SCOPE && requestId == currentId) main.post {
            panel.showCode(BitmapFactory.decodeByteArray(png, 0, png.size), codeUrl)
        }
    }

    override fun onResult(scope: String, result: TransResult) {
        if (scope != CallerPolicy.OWN_SCOPE || result.requestId != currentId) return
        main.post {
            currentId = null
            panel.show("")
            status.text = describe(result)
            showUnresolved()
        }
    }

    companion object {
        /** "12.5" / "12.50" / "12" -> fen; null if not a positive amount with at most 2 decimals. */
        fun parseFen(s: String): Long? {
            val m = Regex("""(\d{1,10})(?:\.(\d{1,2}))?""").matchEntire(s.trim()) ?: return null
            val fen = m.groupValues[1].toLong() * 100 + m.groupValues[2].padEnd(2, '0').toLong()
            return fen.takeIf { it > 0 }
        }

        fun fen(v: Long) = "¥%d.%02d".format(v / 100, v % 100)

        fun describe(r: TransResult): String = buildString {
            append(when (r.state) {
                TransState.APPROVED -> "APPROVED"
                TransState.DECLINED -> "DECLINED"
                TransState.UNKNOWN -> "UNKNOWN — being resolved, do not charge again"
                TransState.PENDING -> "IN PROGRESS"
                else -> "FAILED"
            })
            append(" ").append(TransType.name(r.transType))
            if (r.approvedAmount > 0) append(" ").append(fen(r.approvedAmount))
            r.maskedPan?.takeIf { it.isNotEmpty() }?.let { append("\ncard ").append(it) }
            r.traceNo?.let { append("  trace ").append(it) }
            r.referenceNo?.let { append("  ref ").append(it) }
            if (r.transType == TransType.SETTLEMENT && r.state == TransState.APPROVED) {
                append("\n${r.settleCount} transactions, ${fen(r.settleAmount)}, ${if (r.settleBalanced) "balanced" else "uploaded"}")
            }
            if (r.errorCode != ErrorCodes.OK) append("\n").append(r.errorCode).append(" ").append(r.message)
            if (r.printErrorCode != 0) append("\nreceipt not printed: ").append(ErrorCodes.describe(r.printErrorCode))
        }
    }
}
