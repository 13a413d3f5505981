package com.unipos.app

import android.app.Activity
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Canvas
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.EditText
import android.widget.TextView
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.robolectric.Shadows.shadowOf
import java.io.File
import java.io.FileOutputStream

/**
 * Pictures of the cashier app's screens (Robolectric's native graphics, no extra dependency):
 * the window drawn into a bitmap, written to `-Dunipos.screens.out` (android/app/build/host/screens/),
 * checked not to be blank and to show its key texts. A static picture (fixed data, no reference
 * numbers or times) is also compared pixel by pixel with its reference in `-Dunipos.screens.ref`
 * (docs/screens/); with `-Dunipos.screens.record=1` the reference is written instead
 * (`UNIPOS_RECORD_SCREENS=1 scripts/test-android-app.sh`). Pictures taken during the behaviour
 * tests carry changing data and are only checked, never compared (recording copies them to
 * docs/screens/live/ for the cashier's guide).
 */
object ScreenPictures {
    private val out: File? get() = System.getProperty("unipos.screens.out")?.let(::File)
    private val ref: File? get() = System.getProperty("unipos.screens.ref")?.let(::File)
    private val recording: Boolean get() = System.getProperty("unipos.screens.record") == "1"

    /** Every visible view under [v], depth first. */
    fun views(v: View, acc: MutableList<View> = ArrayList()): List<View> {
        if (v.visibility != View.VISIBLE) return acc
        acc += v
        if (v is ViewGroup) for (i in 0 until v.childCount) views(v.getChildAt(i), acc)
        return acc
    }

    /** A picture of changing data (a live flow): written and checked, not compared. */
    fun live(activity: Activity, name: String, keyTexts: List<String>): File = take(activity, name, keyTexts, compare = false)

    /**
     * A live picture of a passing moment (a progress screen the engine may replace at any time):
     * taken only if [stillShown] holds once the main looper has run what was posted; null when
     * the moment has passed, so a fast engine does not fail the flow it is showing.
     */
    fun liveIfStillShown(activity: Activity, name: String, keyTexts: List<String>, stillShown: () -> Boolean): File? {
        shadowOf(Looper.getMainLooper()).idle()
        return if (stillShown()) take(activity, name, keyTexts, compare = false) else null
    }

    /** A picture of fixed data: written, checked and compared with (or recorded as) its reference. */
    fun static(activity: Activity, name: String, keyTexts: List<String>): File = take(activity, name, keyTexts, compare = true)

    private fun take(activity: Activity, name: String, keyTexts: List<String>, compare: Boolean): File {
        shadowOf(Looper.getMainLooper()).idle()
        val root = activity.window.decorView
        val dm = activity.resources.displayMetrics
        // Lay the window out at the screen's size in pixels (what the device would).
        root.measure(View.MeasureSpec.makeMeasureSpec(dm.widthPixels, View.MeasureSpec.EXACTLY),
            View.MeasureSpec.makeMeasureSpec(dm.heightPixels, View.MeasureSpec.EXACTLY))
        root.layout(0, 0, dm.widthPixels, dm.heightPixels)
        // What a reader sees: the texts, and the hints of empty inputs.
        val shown = views(root).filterIsInstance<TextView>().map { tv ->
            if (tv is EditText && tv.text.isEmpty()) tv.hint?.toString().orEmpty() else tv.text.toString()
        }
        for (t in keyTexts) assertTrue("$name: \"$t\" is not on the screen; it shows $shown", shown.any { it.contains(t) })
        // Nothing clipped to nothing: every text that is laid out has room for its first line.
        for (tv in views(root).filterIsInstance<TextView>()) {
            if (tv.text.isNotEmpty() && tv.width > 0) {
                assertTrue("$name: \"${tv.text}\" is squeezed to ${tv.height}px", tv.height >= tv.lineHeight * 3 / 4)
            }
        }
        // Every touch target is at least 48dp each way.
        val min = (48 * dm.density).toInt() - 1
        for (v in views(root).filter { it.isClickable && it.width > 0 && it.height > 0 }) {
            val label = (v as? TextView)?.text ?: v.javaClass.simpleName
            assertTrue("$name: \"$label\" is a ${v.width}x${v.height}px touch target (< 48dp)", v.width >= min && v.height >= min)
        }
        val bmp = Bitmap.createBitmap(dm.widthPixels, dm.heightPixels, Bitmap.Config.ARGB_8888)
        root.draw(Canvas(bmp))
        assertNotBlank(name, bmp)
        val dir = out ?: File(System.getProperty("java.io.tmpdir"), "unipos-screens")
        dir.mkdirs()
        val file = File(dir, "$name.png")
        FileOutputStream(file).use { bmp.compress(Bitmap.CompressFormat.PNG, 100, it) }
        if (compare) compareWithReference(name, file, bmp)
        // Recording also keeps a copy of the live pictures for the cashier's guide (never compared:
        // they carry the run's reference numbers and times).
        else if (recording) ref?.let { File(it, "live").apply { mkdirs() } }?.let { file.copyTo(File(it, "$name.png"), overwrite = true) }
        return file
    }

    private fun assertNotBlank(name: String, bmp: Bitmap) {
        val px = IntArray(bmp.width * bmp.height)
        bmp.getPixels(px, 0, bmp.width, 0, 0, bmp.width, bmp.height)
        val counts = HashMap<Int, Int>()
        for (p in px) counts[p] = (counts[p] ?: 0) + 1
        val dominant = counts.values.maxOrNull() ?: 0
        val other = px.size - dominant
        assertTrue("$name: blank picture (${counts.size} colours)", counts.size >= 8)
        assertTrue("$name: almost blank picture ($other of ${px.size} pixels differ from the background)", other * 50 >= px.size)
    }

    private fun compareWithReference(name: String, file: File, bmp: Bitmap) {
        val refDir = ref ?: return fail("$name: -Dunipos.screens.ref is not set")
        val refFile = File(refDir, "$name.png")
        if (recording) {
            refDir.mkdirs()
            file.copyTo(refFile, overwrite = true)
            return
        }
        if (!refFile.exists()) fail("$name: no reference $refFile (record with UNIPOS_RECORD_SCREENS=1 scripts/test-android-app.sh)")
        val expected = BitmapFactory.decodeFile(refFile.path) ?: return fail("$name: reference $refFile unreadable")
        if (expected.width != bmp.width || expected.height != bmp.height) {
            fail("$name: ${bmp.width}x${bmp.height}, the reference is ${expected.width}x${expected.height}")
        }
        val a = IntArray(bmp.width * bmp.height)
        val b = IntArray(a.size)
        bmp.getPixels(a, 0, bmp.width, 0, 0, bmp.width, bmp.height)
        expected.getPixels(b, 0, bmp.width, 0, 0, bmp.width, bmp.height)
        val differ = a.indices.count { a[it] != b[it] }
        if (differ > 0) fail("$name: $differ pixels differ from $refFile (see $file; re-record with UNIPOS_RECORD_SCREENS=1 if intended)")
    }
}
