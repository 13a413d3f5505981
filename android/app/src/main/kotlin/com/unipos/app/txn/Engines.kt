package com.unipos.app.txn

import android.os.Looper
import com.unipos.app.policy.AppCaller
import com.unipos.core.PosCore
import com.unipos.core.PosResult
import com.unipos.core.ffi.FlushReport
import com.unipos.core.ffi.Outcome
import com.unipos.core.ffi.ProgressEvent

/**
 * The engine of a terminal that must not transact (release build without a vendor adapter, or not
 * provisioned): every transaction is refused with [code] and the user-facing [message].
 */
class UnavailableEngine(private val code: Int, private val message: String) : PaymentEngine {
    private fun refused() = EngineResult.Failed(PosResult.Failure(code, message))
    override fun startup(): EngineResult = refused()
    override fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult = refused()
    override fun maintenance(): PosResult<MaintenanceReport> = PosResult.Failure(code, message)
    override fun flush(): PosResult<FlushReport> = PosResult.Failure(code, message)
    override fun known(caller: AppCaller, command: CoreCommand, orderNo: String?): Known = Known.New
    override fun query(caller: AppCaller, requestId: String): Outcome? = null
    override fun queryLast(caller: AppCaller): Outcome? = null
    override fun queryByOrderNo(caller: AppCaller, orderNo: String): Outcome? = null
    override fun journal(limit: Int): List<Outcome> = emptyList()
    override fun unresolved(): List<Outcome> = emptyList()
    override fun openCore(): PosResult<PosCore> = PosResult.Failure(code, message)
    override fun cancelWait() {}
    override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) {}
    override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) {}
}

/**
 * The dispatcher's engine, replaceable when new settings are applied. Only the dispatcher's worker
 * calls it (and swaps it, between two jobs), so a swap never cuts a transaction.
 */
class SwitchableEngine(@Volatile private var current: PaymentEngine) : PaymentEngine {
    @Volatile private var progress: ((ProgressEvent) -> Unit)? = null
    @Volatile private var qr: ((String, String, ByteArray) -> Unit)? = null
    @Volatile private var chooser: PayMethodChooser? = null
    @Volatile private var stages: ((String, Int) -> Unit)? = null

    val engine: PaymentEngine get() = current

    /** Puts [next] in place (with the listeners) and returns the previous engine, not closed. */
    fun swap(next: PaymentEngine): PaymentEngine {
        val old = current
        next.setProgressListener(progress)
        next.setQrCodeListener(qr)
        next.setPayMethodChooser(chooser)
        next.setStageListener(stages)
        current = next
        old.setProgressListener(null)
        old.setQrCodeListener(null)
        old.setPayMethodChooser(null)
        old.setStageListener(null)
        return old
    }

    override fun startup() = current.startup()
    override fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras) = current.run(caller, command, fields)
    override fun maintenance() = current.maintenance()
    override fun flush() = current.flush()
    override fun known(caller: AppCaller, command: CoreCommand, orderNo: String?) = current.known(caller, command, orderNo)
    override fun query(caller: AppCaller, requestId: String) = current.query(caller, requestId)
    override fun queryLast(caller: AppCaller) = current.queryLast(caller)
    override fun queryByOrderNo(caller: AppCaller, orderNo: String) = current.queryByOrderNo(caller, orderNo)
    override fun identity() = current.identity()
    override fun journal(limit: Int) = current.journal(limit)
    override fun unresolved() = current.unresolved()
    override fun openCore() = current.openCore()
    override fun cancelWait() = current.cancelWait()
    override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) { progress = listener; current.setProgressListener(listener) }
    override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) { qr = listener; current.setQrCodeListener(listener) }
    override fun setPayMethodChooser(chooser: PayMethodChooser?) { this.chooser = chooser; current.setPayMethodChooser(chooser) }
    override fun setStageListener(listener: ((requestId: String, stage: Int) -> Unit)?) { stages = listener; current.setStageListener(listener) }
    override fun close() = current.close()
}

/**
 * What happens when the engine is called on the main thread. Every engine call may read or write
 * the journal and talk to the host in native code, which StrictMode cannot see; the debug build
 * turns this into a crash (as StrictMode's penaltyDeath), the release build logs it, tests record it.
 */
object MainThreadPolicy {
    @Volatile var onViolation: (String) -> Unit = { }

    fun check(what: String) {
        if (Looper.getMainLooper().thread === Thread.currentThread()) onViolation(what)
    }
}

/** Checks every engine call that may do disk or network work against [MainThreadPolicy]. */
class OffMainThreadEngine(private val inner: PaymentEngine) : PaymentEngine {
    override fun startup(): EngineResult { MainThreadPolicy.check("engine startup"); return inner.startup() }
    override fun run(caller: AppCaller, command: CoreCommand, fields: RequestExtras): EngineResult {
        MainThreadPolicy.check("engine ${command.javaClass.simpleName}"); return inner.run(caller, command, fields)
    }
    override fun maintenance(): PosResult<MaintenanceReport> { MainThreadPolicy.check("engine maintenance"); return inner.maintenance() }
    override fun flush(): PosResult<FlushReport> { MainThreadPolicy.check("engine flush"); return inner.flush() }
    override fun known(caller: AppCaller, command: CoreCommand, orderNo: String?): Known { MainThreadPolicy.check("engine known"); return inner.known(caller, command, orderNo) }
    override fun query(caller: AppCaller, requestId: String): Outcome? { MainThreadPolicy.check("engine query"); return inner.query(caller, requestId) }
    override fun queryLast(caller: AppCaller): Outcome? { MainThreadPolicy.check("engine query"); return inner.queryLast(caller) }
    override fun queryByOrderNo(caller: AppCaller, orderNo: String): Outcome? { MainThreadPolicy.check("engine query"); return inner.queryByOrderNo(caller, orderNo) }
    override fun identity() = inner.identity()
    override fun journal(limit: Int): List<Outcome> { MainThreadPolicy.check("engine journal"); return inner.journal(limit) }
    override fun unresolved(): List<Outcome> { MainThreadPolicy.check("engine unresolved"); return inner.unresolved() }
    override fun openCore(): PosResult<PosCore> { MainThreadPolicy.check("engine core"); return inner.openCore() }
    override fun cancelWait() = inner.cancelWait()        // any thread, no I/O
    override fun setProgressListener(listener: ((ProgressEvent) -> Unit)?) = inner.setProgressListener(listener)
    override fun setQrCodeListener(listener: ((String, String, ByteArray) -> Unit)?) = inner.setQrCodeListener(listener)
    override fun setPayMethodChooser(chooser: PayMethodChooser?) = inner.setPayMethodChooser(chooser)
    override fun setStageListener(listener: ((requestId: String, stage: Int) -> Unit)?) = inner.setStageListener(listener)
    override fun close() { MainThreadPolicy.check("engine close"); inner.close() }
}
