/** One palette for the map, the legend and the plot. */
export const ZONE_COLORS: Record<string, string> = {
  DMA: '#3d9b8f',
  DMA32: '#4fb3a5',
  Normal: '#4f9d57',
  Movable: '#3f77c9',
};
export const OFFLINE = '#8c7a3c';
export const GOING_OFFLINE = '#d4822a';
export const ONLINE_NO_ZONE = '#6c8f6f';
export const HOLE = '#1f2228';
export const REMOVED = '#5a2a2a';
export const FAULT = '#ff4b4b';
export const VMEMMAP = '#c9a0ff';
/** vmemmap pages in memory that was removed under their users */
export const VMEMMAP_LOST = '#7d3f86';
const NODE_COLORS = ['#ffd166', '#ef476f', '#06d6a0', '#118ab2', '#f78c6b', '#b388eb', '#8ac926', '#ff99c8'];
export const nodeColor = (n: number) => NODE_COLORS[n % NODE_COLORS.length]!;
