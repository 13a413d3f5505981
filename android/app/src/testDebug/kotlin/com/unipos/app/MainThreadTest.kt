package com.unipos.app

import android.content.Intent
import android.os.Looper
import com.unipos.app.service.PaymentService
import com.unipos.app.txn.MainThreadPolicy
import com.unipos.app.ui.CashierActivity
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.IUniPosService
import com.unipos.sdk.PayMethod
import com.unipos.sdk.Requests
import com.unipos.sdk.TransState
import com.unipos.sdk.UniPos
import com.unipos.sdk.UniPosIntents
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowBinder
import java.io.File
import java.io.FilePermission
import java.net.SocketPermission
import java.security.Permission
import java.util.concurrent.CopyOnWriteArrayList

/**
 * Records disk and network work on the main thread, as the debug build's StrictMode would kill the
 * app for: Java file access under the app's folders and the journal's (FilePermission checks) and
 * socket connections (SocketPermission), through a JVM SecurityManager; and every engine call on
 * the main thread (the core's SQLite and sockets are native code no JVM hook sees) through
 * [MainThreadPolicy].
 */
class MainThreadIo(private val main: Thread, private val dirs: List<String>) : SecurityManager() {
    val violations = CopyOnWriteArrayList<String>()

    override fun checkPermission(perm: Permission) = record(perm)
    override fun checkPermission(perm: Permission, context: Any?) = record(perm)

    private fun record(perm: Permission) {
        if (Thread.currentThread() !== main) return
        when (perm) {
            is FilePermission -> if (dirs.any { perm.name.startsWith(it) }) violations += "${perm.actions} ${perm.name}"
            is SocketPermission -> if (perm.actions.contains("connect")) violations += "connect ${perm.name}"
        }
    }

    companion object {
        @Volatile var current: MainThreadIo? = null

        fun install(main: Thread, dirs: List<String>): MainThreadIo {
            val io = MainThreadIo(main, dirs)
            // Run both checks once before they become the SecurityManager's: a class first loaded
            // inside a check (the lambda, the permission types) asks the SecurityManager again, and
            // in a fresh JVM that ended in ClassCircularityError and a hung test run.
            if (Thread.currentThread() === main) {
                io.record(FilePermission("${dirs.first()}/warm-up", "read"))
                io.record(SocketPermission("localhost:1", "connect"))
                io.violations.clear()
            }
            current = io
            @Suppress("DEPRECATION")
            System.setSecurityManager(io)
            MainThreadPolicy.onViolation = { what -> io.violations += what }
            return io
        }

        fun uninstall() {
            @Suppress("DEPRECATION")
            System.setSecurityManager(null)
            current = null
        }
    }
}

/** The test application with the recorder installed before anything of the app runs. */
// Its own terminal (and journal): PayActivityTest uses 62969004.
class WatchedTestApp : TestApp("62969017") {
    override fun onCreate() {
        val dirs = listOf(File(applicationInfo.dataDir).canonicalPath, File(applicationInfo.dataDir).absolutePath,
            File(databasePath()).parentFile!!.absolutePath)
        MainThreadIo.install(Thread.currentThread(), dirs)
        super.onCreate()
        // The debug variant set MainThreadPolicy to crash; record instead, to report every call.
        MainThreadPolicy.onViolation = { what -> MainThreadIo.current?.violations?.add(what) }
    }
}

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = WatchedTestApp::class)
class MainThreadTest {
    private val app get() = RuntimeEnvironment.getApplication() as WatchedTestApp

    @After fun tearDown() {
        MainThreadIo.uninstall()
        app.closeRuntime()
    }

    @Test fun start_and_transactions_do_no_disk_or_network_work_on_the_main_thread() {
        val io = MainThreadIo.current!!
        Merchant.install(app)

        // The app's start as Android runs it on the main thread: the service and the launcher screen.
        val binder = Robolectric.buildService(PaymentService::class.java).create().get().onBind(Intent(UniPos.ACTION_BIND_SERVICE))
        Robolectric.buildActivity(CashierActivity::class.java).setup()
        app.runtime.dispatcher.awaitIdle(60_000)

        // A transaction through the pay Intent (main thread: the Activity) ...
        val requestId = "main-${System.nanoTime()}"
        val controller = Robolectric.buildActivity(PayActivity::class.java, UniPosIntents.payIntent(Requests.sale(requestId, 210, PayMethod.CARD)))
        shadowOf(controller.get()).setCallingPackage(Merchant.PACKAGE)
        controller.create()
        val until = System.currentTimeMillis() + 30_000
        while (!controller.get().isFinishing && System.currentTimeMillis() < until) {
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
        val r = UniPosIntents.parseResult(requestId, shadowOf(controller.get()).resultCode, shadowOf(controller.get()).resultIntent)
        assertEquals(r.message, TransState.APPROVED, r.state)

        // ... and one through the AIDL service, called on a binder thread as Android does.
        val service = IUniPosService.Stub.asInterface(RemoteLike(binder))
        var accepted = -1
        val binderThread = Thread {
            ShadowBinder.setCallingUid(Merchant.UID)
            accepted = service.startTransaction(Requests.sale("main-svc-${System.nanoTime()}", 220, PayMethod.CARD)).errorCode
        }
        binderThread.start(); binderThread.join(30_000)
        assertEquals(ErrorCodes.OK, accepted)
        app.runtime.dispatcher.awaitIdle(60_000)
        shadowOf(Looper.getMainLooper()).idle()

        assertEquals("disk or network work on the main thread", emptyList<String>(), io.violations.toList())

        // The recorder does catch what it is for: a preference write and an engine call on the main thread.
        app.getSharedPreferences("probe", 0).edit().putString("k", "v").commit()
        app.runtime.dispatcher.let { com.unipos.app.txn.OffMainThreadEngine(com.unipos.app.txn.UnavailableEngine(1, "x")).journal(1) }
        assertTrue("${io.violations}", io.violations.any { it.contains("probe") })
        assertTrue("${io.violations}", io.violations.any { it == "engine journal" })
    }
}
