package com.unipos.app

import android.app.NotificationManager
import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.content.Intent
import android.os.Looper
import com.unipos.app.job.MaintenanceJobService
import com.unipos.app.service.TransactionForeground
import com.unipos.app.service.TransactionForegroundService
import com.unipos.core.PosResult
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.PayMethod
import com.unipos.sdk.ProgressStage
import com.unipos.sdk.Requests
import com.unipos.sdk.TransResult
import com.unipos.sdk.TransState
import com.unipos.app.policy.CallerPolicy
import com.unipos.app.txn.TransactionDispatcher
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadow.api.Shadow
import java.util.concurrent.CountDownLatch
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** The foreground service around a transaction, the periodic maintenance job, resume at start. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [30], application = LifecycleTestApp::class)
class LifecycleTest {
    private lateinit var app: TestApp
    private val results = LinkedBlockingQueue<TransResult>()
    private val stages = LinkedBlockingQueue<Int>()
    private val listener = object : TransactionDispatcher.Listener {
        override fun onResult(scope: String, result: TransResult) { results += result }
        override fun onProgress(scope: String, requestId: String, stage: Int, message: String) { stages += stage }
    }

    @Before fun setUp() {
        TransactionForeground.reset()
        app = RuntimeEnvironment.getApplication() as TestApp
        HostSim.clearFaults()
        app.runtime.dispatcher.awaitIdle(60_000)
        app.runtime.dispatcher.addListener(listener)
    }

    @After fun tearDown() {
        app.sim.holdCardWait = null
        HostSim.clearFaults()
        app.closeRuntime()
    }

    /** As a binder thread or a screen's background start would: never the main thread (StrictMode). */
    private fun startOffMain(request: com.unipos.sdk.TransRequest): Int {
        var code = -1
        val t = Thread { code = app.runtime.dispatcher.start(CallerPolicy.OWN_SCOPE, request).errorCode }
        t.start(); t.join(30_000)
        return code
    }

    /** A journal read, as a binder thread makes it (reads are disk I/O: never on the main thread). */
    private fun <T> offMain(block: () -> T): T {
        var v: T? = null
        val t = Thread { v = block() }
        t.start(); t.join(30_000)
        @Suppress("UNCHECKED_CAST")
        return v as T
    }

    private fun idleUntil(what: String, cond: () -> Boolean) {
        val until = System.currentTimeMillis() + 30_000
        while (!cond()) {
            check(System.currentTimeMillis() < until) { "timed out waiting for $what" }
            shadowOf(Looper.getMainLooper()).idle()
            Thread.sleep(10)
        }
    }

    @Test fun a_foreground_service_with_its_notification_runs_while_a_transaction_does() {
        val hold = CountDownLatch(1)
        app.sim.holdCardWait = hold
        val id = "fgs-${System.nanoTime()}"
        assertEquals(ErrorCodes.OK, startOffMain(Requests.sale(id, 150, PayMethod.CARD)))
        idleUntil("the card wait") { ProgressStage.WAITING_FOR_CARD in stages }
        assertTrue(TransactionForeground.isRunning)

        // The dispatcher asked for the foreground service; Android then starts it.
        val started: Intent = shadowOf(app).nextStartedService
        assertEquals(TransactionForegroundService::class.java.name, started.component!!.className)
        val controller = Robolectric.buildService(TransactionForegroundService::class.java, started).create().startCommand(0, 1)
        val service = controller.get()
        val notification = shadowOf(service).lastForegroundNotification
        assertNotNull("startForeground was called with a notification", notification)
        assertEquals(TransactionForegroundService.NOTIFICATION_ID, shadowOf(service).lastForegroundNotificationId)
        val channel = app.getSystemService(NotificationManager::class.java).getNotificationChannel(TransactionForegroundService.CHANNEL_ID)
        assertNotNull("the channel exists (Android 8+)", channel)
        assertEquals(app.getString(R.string.fgs_title), shadowOf(notification).contentTitle)
        assertTrue(!shadowOf(service).isStoppedBySelf)

        hold.countDown()
        val r = results.poll(30, TimeUnit.SECONDS)!!
        assertEquals(r.message, TransState.APPROVED, r.state)
        idleUntil("the service to stop") { shadowOf(service).isStoppedBySelf }
        assertTrue(shadowOf(service).isForegroundStopped)
        assertTrue(!TransactionForeground.isRunning)
    }

    @Test fun a_service_that_starts_after_the_transaction_ended_stops_at_once() {
        TransactionForeground.begin(app)
        TransactionForeground.end()
        val started = shadowOf(app).nextStartedService
        val service = Robolectric.buildService(TransactionForegroundService::class.java, started).create().startCommand(0, 1).get()
        // startForeground first, always (Android 8+ requires it), then the stop: the foreground was stopped.
        idleUntil("the late service to stop") { shadowOf(service).isStoppedBySelf }
        assertTrue(shadowOf(service).isForegroundStopped)
    }

    @Test fun the_maintenance_job_is_periodic_needs_a_network_and_flushes_a_lost_answer() {
        val job: JobInfo = app.getSystemService(JobScheduler::class.java).getPendingJob(MaintenanceJobService.JOB_ID)
            ?: throw AssertionError("the maintenance job is not scheduled")
        assertTrue(job.isPeriodic)
        assertEquals(TimeUnit.MINUTES.toMillis(15), job.intervalMillis)
        assertEquals(JobInfo.NETWORK_TYPE_ANY, job.networkType)
        assertTrue(job.isPersisted)

        // A lost answer leaves a pending reversal; the job's run sends it.
        HostSim.loseNextAnswer(app.terminalId)
        val id = "job-${System.nanoTime()}"
        assertEquals(ErrorCodes.OK, startOffMain(Requests.sale(id, 170, PayMethod.CARD)))
        val r = results.poll(30, TimeUnit.SECONDS)!!
        assertEquals(r.message, TransState.UNKNOWN, r.state)
        HostSim.clearFaults()

        val service = Robolectric.buildService(MaintenanceJobService::class.java).create().get()
        val params = Shadow.newInstanceOf(JobParameters::class.java)
        assertTrue("the work goes on in the background", service.onStartJob(params))
        idleUntil("the job to finish") { shadowOf(service).isJobFinished }
        val report = app.runtime.maintenance().get(30, TimeUnit.SECONDS)
        assertTrue("$report", report is PosResult.Success)
        assertEquals(TransState.FAILED, offMain { app.runtime.dispatcher.query(CallerPolicy.OWN_SCOPE, id) }.state)
        assertEquals(ErrorCodes.NO_ANSWER_REVERSED, offMain { app.runtime.dispatcher.query(CallerPolicy.OWN_SCOPE, id) }.errorCode)
    }

    @Test fun a_restart_resumes_instead_of_a_full_startup() {
        // Count the 0800 messages of a restart: a resume on the day of the last sign-in, with work
        // keys and no host demand, sends none; a full startup would sign in and download the
        // parameters, CA keys and AIDs again (more than 20 messages with the simulator's data).
        app.closeRuntime()
        HostSim.http("POST", "/admin/faults", """{"terminal_id":"${app.terminalId}","mti":"0800","action":{"type":"delay","ms":0}}""")
        app.runtime.dispatcher.awaitIdle(60_000)
        val matched = Regex("\"matched\"\\s*:\\s*(\\d+)").find(HostSim.http("GET", "/admin/faults"))!!.groupValues[1].toInt()
        assertEquals("0800 messages at the restart", 0, matched)
        assertTrue(offMain { app.runtime.dispatcher.query(CallerPolicy.OWN_SCOPE, "nothing") }.state == TransState.NOT_FOUND)
    }
}
