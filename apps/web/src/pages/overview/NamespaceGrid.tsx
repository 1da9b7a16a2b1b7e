import { useEffect, useState, type RefObject } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { NamespaceCard } from './NamespaceCard';
import type { OverviewEntry } from './overviewState';

/** overview.css: cards at least this wide, this far apart, inside the scroller's padding. */
const CARD_MIN_WIDTH = 300;
const GAP = 16;
const PADDING = 16;
/** A card's usual height (px) before it is measured. */
const CARD_HEIGHT = 290;

export function columnsFor(width: number): number {
  return Math.max(1, Math.floor((width - 2 * PADDING + GAP) / (CARD_MIN_WIDTH + GAP)));
}

/** The scroller's width, followed as the window resizes. */
function useWidth(scroller: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(() => scroller.current?.clientWidth ?? 1280);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [scroller]);
  return width;
}

/**
 * A card per namespace, as many per line as fit; lines of cards are virtualized in the page's scroller,
 * so hundreds of namespaces put only the cards in view (and a line or two around) in the DOM.
 */
export function NamespaceGrid({
  list,
  scroller,
}: {
  list: OverviewEntry[];
  scroller: RefObject<HTMLElement | null>;
}) {
  const columns = columnsFor(useWidth(scroller));
  const lines = Math.ceil(list.length / columns);
  const virtual = useVirtualizer({
    count: lines,
    getScrollElement: () => scroller.current,
    estimateSize: () => CARD_HEIGHT + GAP,
    overscan: 2,
    initialRect: { width: 1280, height: 1000 },
  });
  return (
    <div className="ov-grid-virtual" style={{ height: virtual.getTotalSize() }}>
      {virtual.getVirtualItems().map((item) => (
        <div
          key={item.key}
          ref={virtual.measureElement}
          data-index={item.index}
          className="ov-grid"
          style={{
            gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
            transform: `translateY(${item.start}px)`,
          }}
        >
          {list.slice(item.index * columns, (item.index + 1) * columns).map((ns) => (
            <NamespaceCard key={ns.name} ns={ns} />
          ))}
        </div>
      ))}
    </div>
  );
}
