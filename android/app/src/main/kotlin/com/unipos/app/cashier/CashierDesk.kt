package com.unipos.app.cashier

import android.os.Handler
import android.os.Looper
import com.unipos.app.UniPosApplication
import com.unipos.app.service.TransactionForeground
import com.unipos.app.txn.TransactionDispatcher
import com.unipos.core.CashierCore
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.ProgressEvent
import com.unipos.sdk.ErrorCodes
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicReference
import kotlinx.coroutines.runBlocking

/**
 * The cashier screens' way to the engine: every call runs on the dispatcher's single worker (the
 * one thread that talks to the core, so a cashier's sale and a merchant app's payment never run
 * at once), and its result comes back on the main thread. Transactions also get the foreground
 * service and their progress events. The engine decides everything; this class only carries.
 */
class CashierDesk(private val app: UniPosApplication) : TransactionDispatcher.Listener {
    private val main = Handler(Looper.getMainLooper())
    /** Threads that wait for the worker's answer (the worker itself stays the only core thread). */
    private val waiters = Executors.newCachedThreadPool { r -> Thread(r, "unipos-desk").apply { isDaemon = true } }
    private val listening = AtomicReference<((ProgressEvent) -> Unit)?>(null)
    @Volatile private var registered = false

    private fun runtime() = app.runtime.also { rt ->
        if (!registered) synchronized(this) {
            if (!registered) { rt.dispatcher.addListener(this); registered = true }
        }
    }

    /** Whether a merchant app's transaction holds the terminal now. */
    val busy: Boolean get() = runtime().dispatcher.isBusy

    /**
     * Runs [block] with the core on the worker (never the main thread: it reads the journal and may
     * talk to the host); [done] gets its result on the main thread.
     */
    fun <T> call(block: suspend (PosCore) -> PosResult<T>, done: (PosResult<T>) -> Unit) {
        waiters.execute {
            val result = try {
                runtime().withCore { core -> runBlocking { block(core) } }.get()
            } catch (e: Exception) {
                PosResult.Failure(ErrorCodes.INTERNAL_ERROR, e.javaClass.simpleName, e)
            }
            main.post { done(result) }
        }
    }

    /** As [call] with the desk of the core. */
    fun <T> desk(block: suspend (CashierCore) -> PosResult<T>, done: (PosResult<T>) -> Unit) =
        call({ core -> block(core.desk) }, done)

    /**
     * A transaction: [onEvent] gets the engine's stages (card, PIN, online, printing, QR, batch
     * upload) on the main thread while it runs, under the foreground service; the slips it prints
     * are kept for the preview ([slips]).
     */
    fun <T> transaction(
        block: (PosCore) -> PosResult<T>,
        onEvent: (ProgressEvent) -> Unit,
        done: (PosResult<T>) -> Unit,
    ) {
        call({ core ->
            listening.set { e -> main.post { onEvent(e) } }
            app.receipts.begin()
            TransactionForeground.begin(app)
            try {
                block(core)
            } finally {
                TransactionForeground.end()
                listening.set(null)
            }
        }, done)
    }

    /** The slips the last transaction printed (merchant copy first). */
    fun slips(): List<List<String>> = app.receipts.slips()

    /** Cancels the wait for a card (any thread, no I/O: it only sets the core's cancel flag). */
    fun cancelWait() = runtime().cancelWait()

    /** The customer's payment code from the scanner (blocking; on the worker only). */
    fun scanPaymentCode(timeoutMs: Long): String? = app.runtime.hardware?.scanPaymentCode(timeoutMs)

    /** The debug build's "present the test card" (null in the release build). */
    val testCards get() = app.runtime.hardware?.testCards

    override fun onEngineEvent(event: ProgressEvent) {
        listening.get()?.invoke(event)
    }
}
