/** The CodeMirror 6 setup of the YAML editor (loaded with the editor page only). */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, foldGutter, indentOnInput } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { editorTheme } from './editorTheme';

export type { Diagnostic };

/** `readOnly`: the user may not change the object (it is shown, not edited). */
export function createEditor(
  parent: HTMLElement,
  doc: string,
  onChange: (text: string) => void,
  readOnly = false,
): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        foldGutter(),
        lintGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        editorTheme,
        yaml(),
        EditorState.tabSize.of(2),
        EditorView.contentAttributes.of({ 'aria-label': 'YAML' }),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        ...(readOnly ? [EditorState.readOnly.of(true), EditorView.editable.of(false)] : []),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}

export function showDiagnostics(view: EditorView, diagnostics: Diagnostic[]): void {
  const len = view.state.doc.length;
  const clamped = diagnostics.map((d) => ({
    ...d,
    from: Math.min(d.from, len),
    to: Math.min(Math.max(d.to, d.from), len),
  }));
  view.dispatch(setDiagnostics(view.state, clamped));
}

export function replaceDoc(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}
