/**
 * The YAML editor's colours, light and dark: every colour is a theme variable (--code-*, see
 * styles/theme.css), so the editor follows the theme switch at once and the contrast test covers it.
 * CodeMirror's default highlight style (dark blue keys) and its white gutter are for light pages only.
 */
import { defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

const chrome = EditorView.theme({
  '&': { color: 'var(--code-text)', backgroundColor: 'var(--code-bg)' },
  '.cm-content': { caretColor: 'var(--code-text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--code-text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--code-selection)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-gutters': {
    backgroundColor: 'var(--code-gutter-bg)',
    color: 'var(--code-gutter-text)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-gutter)', color: 'var(--text)' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--surface-2)',
    border: '1px solid var(--border-strong)',
    color: 'var(--text-muted)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    border: '1px solid var(--border-strong)',
  },
  '.cm-tooltip .cm-diagnosticText, .cm-diagnostic': { color: 'var(--text)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning-text)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--code-selection)' },
});

/**
 * CodeMirror's default highlight style, its colours swapped for theme variables (same tags, so nothing
 * it highlights is left in a light-page colour). YAML keys are `definition(propertyName)` (#00c).
 */
const RECOLOUR: Record<string, string> = {
  '#00c': 'var(--code-key)',
  '#00f': 'var(--code-key)',
  '#30a': 'var(--code-key)',
  '#a11': 'var(--code-string)',
  '#164': 'var(--code-string)',
  '#e40': 'var(--code-string)',
  '#940': 'var(--code-comment)',
  '#404740': 'var(--code-comment)',
  '#708': 'var(--code-type)',
  '#085': 'var(--code-type)',
  '#167': 'var(--code-type)',
  '#256': 'var(--code-type)',
  '#219': 'var(--code-label)',
  '#f00': 'var(--danger)',
};
const highlight = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) =>
    typeof spec.color === 'string' ? { ...spec, color: RECOLOUR[spec.color] ?? 'var(--code-text)' } : spec,
  ),
);

/** Add to the editor's extensions in place of CodeMirror's default highlight style. */
export const editorTheme: Extension = [chrome, syntaxHighlighting(highlight)];
