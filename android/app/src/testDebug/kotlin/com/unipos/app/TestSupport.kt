package com.unipos.app

import android.content.Context
import android.content.pm.ApplicationInfo
import android.content.pm.PackageInfo
import android.content.pm.Signature
import android.content.pm.SigningInfo
import android.os.Binder
import android.os.DeadObjectException
import android.os.IBinder
import android.os.IInterface
import android.os.Parcel
import com.unipos.app.hardware.HardwareSelection
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.provisioning.Field
import com.unipos.app.provisioning.Provisioning
import com.unipos.core.SoftwareKeyWrapper
import com.unipos.app.service.AndroidCallerVerifier
import com.unipos.sdk.IUniPosCallback
import com.unipos.sdk.TransResult
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadow.api.Shadow
import org.robolectric.shadows.ShadowSigningInfo
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The application under Robolectric: the real runtime (debug variant), pointed at the test's host
 * simulator, with the JVM stand-in for the Android Keystore (Robolectric has no AndroidKeyStore).
 */
open class TestApp(
    /** The simulator terminal of this application; fixed before onCreate starts the background boot. */
    val terminalId: String = "62969003",
) : UniPosApplication() {
    val sim = SimulatedHardware(autoPresentMs = 0)

    override fun selectHardware() = HardwareSelection.Ready(sim, sim.devices())

    override fun defaultProvisioning() = Provisioning.of(
        Field.POSP_ADDRESSES to HostSim.posp,
        Field.TERMINAL_ID to terminalId,
        Field.MERCHANT_ID to "301310048990001",
        Field.MERCHANT_NAME to "UNIPOS TEST MERCHANT",
        Field.QR_KEY to "59A4FA02D6BBEFD08ABABB0E18D2D979:7CC721BA",
        Field.RESPONSE_TIMEOUT_MS to 1_500,
        Field.ALLOWED_CALLERS to listOf(
            "${Merchant.PACKAGE}=${Merchant.DIGEST};sale,qr,void,refund,preauth",
            "# the second app gets the default (sale, QR, queries of its own requests)",
            "${Merchant.SECOND_PACKAGE}=${Merchant.SECOND_DIGEST}",
            "# a back-office app: the whole journal and any app's originals, but no sale or QR of its own",
            "${Merchant.GRANTED_PACKAGE}=${Merchant.GRANTED_DIGEST};void,refund,query,any_original",
            "# a third, differently signed app is not listed",
        ).joinToString("\n"),
        Field.QR_GATEWAY_URL to "https://${HostSim.https}",
        Field.QR_GATEWAY_SERVER_NAME to "localhost",
        Field.QR_GATEWAY_CA_PEM to File(HostSim.caFile).readText(),
    )

    override fun keyWrapper() = SoftwareKeyWrapper(File(dbDir(), "test.kek"))

    // One journal per terminal id for the whole JVM run, as on a real terminal across app restarts.
    override fun databasePath(): String = File(dbDir(), "journal.db").path

    private fun dbDir(): File =
        File(System.getProperty("unipos.tmp") ?: System.getProperty("java.io.tmpdir"), "app-$terminalId").also { it.mkdirs() }

}

// Each test class uses its own terminal of the simulator (separate batches and traces). The id is
// the application's own, not a field a test sets: onCreate boots on a background thread at once,
// so a value assigned in the test could reach the boot late (seen on a slower CI machine).
class PayTestApp : TestApp("62969004")
class LifecycleTestApp : TestApp("62969005")

/** The allow-listed merchant app, and an unlisted one, as installed packages with signing certificates. */
object Merchant {
    const val PACKAGE = "com.example.merchant"
    const val UID = 10_123
    const val OTHER_PACKAGE = "com.example.unlisted"
    const val OTHER_UID = 10_124
    /** Listed with the default capabilities only. */
    const val SECOND_PACKAGE = "com.example.second"
    const val SECOND_UID = 10_125
    /** Listed with `void,refund,query,any_original` (no `sale`, no `qr`). */
    const val GRANTED_PACKAGE = "com.example.backoffice"
    const val GRANTED_UID = 10_126
    val CERT = Signature(ByteArray(64) { it.toByte() })
    val OTHER_CERT = Signature(ByteArray(64) { (it * 7).toByte() })
    val SECOND_CERT = Signature(ByteArray(64) { (it * 3).toByte() })
    val GRANTED_CERT = Signature(ByteArray(64) { (it * 5).toByte() })
    val DIGEST: String = AndroidCallerVerifier.sha256(CERT.toByteArray())
    val SECOND_DIGEST: String = AndroidCallerVerifier.sha256(SECOND_CERT.toByteArray())
    val GRANTED_DIGEST: String = AndroidCallerVerifier.sha256(GRANTED_CERT.toByteArray())

    /** The allow-listed app's name as a launcher shows it (the pay Intent's screen names it). */
    const val LABEL = "好邻居收银台"

    fun install(context: Context) {
        installOne(context, PACKAGE, UID, CERT, LABEL)
        installOne(context, OTHER_PACKAGE, OTHER_UID, OTHER_CERT)
        installOne(context, SECOND_PACKAGE, SECOND_UID, SECOND_CERT)
        installOne(context, GRANTED_PACKAGE, GRANTED_UID, GRANTED_CERT)
    }

    private fun installOne(context: Context, pkg: String, uid: Int, cert: Signature, label: String? = null) {
        val pm = shadowOf(context.packageManager)
        val signing = Shadow.newInstanceOf(SigningInfo::class.java)
        (Shadow.extract(signing) as ShadowSigningInfo).setSignatures(arrayOf(cert))
        pm.installPackage(PackageInfo().apply {
            packageName = pkg
            applicationInfo = ApplicationInfo().apply { packageName = pkg; this.uid = uid; nonLocalizedLabel = label }
            @Suppress("DEPRECATION")
            signatures = arrayOf(cert)
            signingInfo = signing
        })
        pm.setPackagesForUid(uid, pkg)
    }
}

/** The running `unipos host run` started by scripts/test-android-app.sh (admin API for faults and balances). */
object HostSim {
    val posp: String = System.getProperty("unipos.posp") ?: error("-Dunipos.posp missing (run scripts/test-android-app.sh)")
    private val admin: String = System.getProperty("unipos.admin") ?: error("-Dunipos.admin missing")
    /** The QR gateway (HTTPS) and the CA file its certificate is signed by. */
    val https: String = System.getProperty("unipos.https") ?: error("-Dunipos.https missing")
    val caFile: String = System.getProperty("unipos.ca") ?: error("-Dunipos.ca missing")

    fun http(method: String, path: String, body: String? = null): String {
        val c = URI("http://$admin$path").toURL().openConnection() as HttpURLConnection
        c.requestMethod = method
        if (body != null) {
            c.doOutput = true
            c.outputStream.use { it.write(body.toByteArray()) }
        }
        val code = c.responseCode
        val text = (if (code < 400) c.inputStream else c.errorStream)?.use { String(it.readBytes()) } ?: ""
        check(code in 200..299) { "admin $method $path -> $code $text" }
        return text
    }

    fun available(pan: String): Long =
        Regex("\"available\"\\s*:\\s*(\\d+)").find(http("GET", "/admin/cards/$pan"))!!.groupValues[1].toLong()

    fun loseNextAnswer(terminalId: String) {
        http("POST", "/admin/faults", """{"terminal_id":"$terminalId","mti":"0200","count":1,"action":{"type":"no_answer"}}""")
    }

    fun clearFaults() { http("DELETE", "/admin/faults") }
}

/**
 * Makes a local Binder look remote: asInterface() builds the generated Proxy, so every call is
 * marshalled through real Parcels into the generated Stub (as across processes), and served on a
 * "binder thread" of the service, never on the main thread (as a call from another process is).
 */
class RemoteLike(private val target: IBinder) : Binder() {
    override fun queryLocalInterface(descriptor: String): IInterface? = null
    override fun onTransact(code: Int, data: Parcel, reply: Parcel?, flags: Int): Boolean = try {
        BINDER_THREAD.submit<Boolean> { target.transact(code, data, reply, flags) }.get(120, TimeUnit.SECONDS)
    } catch (e: java.util.concurrent.ExecutionException) {
        throw e.cause ?: e   // what the service threw reaches the caller, as through the driver
    }

    private companion object {
        val BINDER_THREAD: java.util.concurrent.ExecutorService =
            java.util.concurrent.Executors.newSingleThreadExecutor { r -> Thread(r, "binder-test").apply { isDaemon = true } }
    }
}

/**
 * A client's callback binder that can "die": [kill] notifies the death recipients the service's
 * RemoteCallbackList linked (as the kernel does when a process dies), then fails every call.
 */
class KillableCallback : Binder() {
    val results = LinkedBlockingQueue<TransResult>()
    val progress = CopyOnWriteArrayList<Pair<String, Int>>()
    /** Each progress report's display text, with its request id and stage. */
    val progressTexts = CopyOnWriteArrayList<Triple<String, Int, String?>>()
    private val recipients = CopyOnWriteArrayList<IBinder.DeathRecipient>()
    @Volatile private var dead = false

    private val impl = object : IUniPosCallback.Stub() {
        override fun onProgress(requestId: String, stage: Int, message: String?) {
            progressTexts += Triple(requestId, stage, message)
            progress += requestId to stage
        }
        override fun onResult(result: TransResult) { results += result }
    }

    val callback: IUniPosCallback = IUniPosCallback.Stub.asInterface(this)

    override fun queryLocalInterface(descriptor: String): IInterface? = null
    override fun linkToDeath(recipient: IBinder.DeathRecipient, flags: Int) {
        if (dead) throw DeadObjectException()
        recipients += recipient
    }
    override fun unlinkToDeath(recipient: IBinder.DeathRecipient, flags: Int): Boolean = recipients.remove(recipient)
    override fun isBinderAlive(): Boolean = !dead
    override fun pingBinder(): Boolean = !dead

    override fun onTransact(code: Int, data: Parcel, reply: Parcel?, flags: Int): Boolean {
        if (dead) throw DeadObjectException()
        return impl.asBinder().transact(code, data, reply, flags)
    }

    fun kill() {
        dead = true
        recipients.forEach { it.binderDied() }
        recipients.clear()
    }

    fun awaitResult(seconds: Long = 30): TransResult =
        results.poll(seconds, TimeUnit.SECONDS) ?: throw AssertionError("no result within $seconds s")
}
