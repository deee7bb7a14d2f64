import assert from "node:assert/strict";
import type { Page } from "playwright-core";

/** One direct child of a dashboard `.inline-form`, as laid out in the browser. */
interface FormItem {
  top: number;
  bottom: number;
  /** The top of its input, select or button (a checkbox label has none). */
  control: number | null;
  /** A button, or the row of a full form's buttons. */
  action: boolean;
}

/** The children of every `.inline-form` on the page, one array per form, in order. */
function inlineForms(page: Page): Promise<FormItem[][]> {
  return page.$$eval(".inline-form", (forms) =>
    forms.map((form) =>
      Array.from(form.children)
        .map((el) => {
          const box = el.getBoundingClientRect();
          const control = el.matches("button")
            ? el
            : el.querySelector(
                ':scope > input:not([type="checkbox"]), :scope > select, :scope button',
              );
          return {
            top: box.top,
            bottom: box.bottom,
            control: control ? control.getBoundingClientRect().top : null,
            action: el.matches("button, .form-actions"),
          };
        })
        .filter((item) => item.bottom > item.top),
    ),
  );
}

/** Flex lines: an item that starts below everything of the current line opens the next one. */
function lines(items: FormItem[]): FormItem[][] {
  const out: FormItem[][] = [];
  let bottom = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const line = out.at(-1);
    if (line && item.top < bottom) {
      line.push(item);
      bottom = Math.max(bottom, item.bottom);
    } else {
      out.push([item]);
      bottom = item.bottom;
    }
  }
  return out;
}

/**
 * The dashboard's inline forms at the page's current width: the inputs, selects and buttons of
 * one line are level (to half a pixel), and a line of buttons alone is one row gap (0.75rem of
 * 15 px) under the line above, with no label line reserved over it. Returns how many lines of
 * buttons alone were seen, so a caller can tell the case was there.
 */
export async function assertInlineFormRows(page: Page, width: number): Promise<number> {
  const forms = await inlineForms(page);
  assert.ok(forms.length >= 5, "the page has its inline forms");
  const rowGap = 0.75 * 15;
  let wrappedActions = 0;
  for (const [f, form] of forms.entries()) {
    const formLines = lines(form);
    for (const [i, line] of formLines.entries()) {
      const controls = line.flatMap((item) => (item.control === null ? [] : [item.control]));
      assert.ok(
        Math.max(...controls) - Math.min(...controls) <= 0.5,
        `at ${width} px, form ${f} line ${i}: control tops ${controls.map(Math.round)}`,
      );
      const previous = formLines[i - 1];
      if (!previous || !line.every((item) => item.action)) continue;
      wrappedActions++;
      const gap =
        Math.min(...line.map((item) => item.top)) - Math.max(...previous.map((p) => p.bottom));
      assert.ok(
        Math.abs(gap - rowGap) <= 1,
        `at ${width} px, form ${f}: its buttons are ${Math.round(gap)} px under the line above`,
      );
    }
  }
  return wrappedActions;
}
